import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';

const folder = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
const write = (name: string, content: unknown): string => {
  const path = join(folder, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const totalId = 'a'.repeat(64);
const pageId = 'b'.repeat(64);
const manifest = {
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [
    { id: totalId, name: 'Total', type: 'query', body: 'query Total { connections { total } }' },
    {
      id: pageId,
      name: 'Page',
      type: 'query',
      body: 'query Page($page: Int!) { connections(page: { page: $page }) { page total } }',
    },
  ],
};

let upstream: TestUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startUpstream((request, response) => {
    const page = Number(new URL(request.url ?? '', 'http://drata').searchParams.get('page'));
    sendJson(response, 200, drataPage([drataItem()], page));
  });
  const { trustedDocuments } = loadConfig({ TRUSTED_DOCUMENTS: write('manifest.json', manifest) });
  gateway = await startGateway({
    baseUrl: upstream.baseUrl,
    ...(trustedDocuments ? { hardening: { trustedDocuments } } : {}),
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

const headers = {
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: 'Bearer key-for-trusted-documents',
};
const post = async (body: unknown) => {
  const response = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as unknown };
};
const refusedWith = (code: string, message: string) => ({ errors: [{ message, extensions: { code } }] });
const idRequired = refusedWith(
  'PERSISTED_QUERY_ID_REQUIRED',
  'This gateway runs trusted documents only: send the document id (documentId, or extensions.persistedQuery.sha256Hash), not the document.',
);

describe('with TRUSTED_DOCUMENTS', () => {
  it.each([
    ['documentId', { documentId: totalId }],
    ['documentId with its hash name', { documentId: `sha256:${totalId}` }],
    [
      "Apollo's persisted-query hash",
      { extensions: { persistedQuery: { version: 1, sha256Hash: totalId } } },
    ],
  ])('a listed document runs by %s', async (_name, body) => {
    expect(await post(body)).toEqual({ status: 200, body: { data: { connections: { total: 1 } } } });
    expect(upstream.requests).toHaveLength(1);
  });

  it('with its variables, over GET too', async () => {
    const url = `${gateway.url}?documentId=${pageId}&variables=${encodeURIComponent('{"page":3}')}`;
    const response = await fetch(url, { headers });
    expect(await response.json()).toEqual({ data: { connections: { page: 3, total: 1 } } });
    expect(await post({ documentId: pageId, variables: { page: 2 } })).toEqual({
      status: 200,
      body: { data: { connections: { page: 2, total: 1 } } },
    });
  });

  it('a document sent in full is refused before any call, even one that is listed', async () => {
    expect(await post({ query: '{ connections { total } }' })).toEqual({ status: 400, body: idRequired });
    expect(await post({ query: 'query Total { connections { total } }' })).toEqual({
      status: 400,
      body: idRequired,
    });
    expect(upstream.requests).toEqual([]);
  });

  it('an unknown id is PERSISTED_QUERY_NOT_FOUND; no id at all is PERSISTED_QUERY_ID_REQUIRED', async () => {
    expect(await post({ documentId: 'c'.repeat(64) })).toEqual({
      status: 400,
      body: refusedWith('PERSISTED_QUERY_NOT_FOUND', 'No trusted document has this id.'),
    });
    expect(await post({ variables: {} })).toEqual({
      status: 400,
      body: refusedWith(
        'PERSISTED_QUERY_ID_REQUIRED',
        'This gateway runs trusted documents only: the request names no document id.',
      ),
    });
    expect(upstream.requests).toEqual([]);
  });

  it("a federation router's own operations still run: _service and _entities", async () => {
    const sdl = await graphql(gateway.url, '{ _service { sdl } }', { headers });
    expect(sdl.body.errors).toBeUndefined();
    const entities = await graphql(
      gateway.url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on DrataConnection { id } } }',
      { headers, variables: { r: [{ __typename: 'DrataConnection', id: '7' }] } },
    );
    expect(entities.body).toEqual({ data: { _entities: [{ id: '7' }] } });
    // ...but not beside anything else.
    expect((await post({ query: '{ _service { sdl } connections { total } }' })).body).toEqual(idRequired);
  });
});

describe('a manifest that cannot be used stops start-up', () => {
  it.each([
    ['not JSON', '{"format":', 'the file is not JSON'],
    [
      'another format',
      { format: 'relay', version: 1, operations: [] },
      'it is not an Apollo persisted-query manifest ("format": "apollo-persisted-query-manifest", "version": 1)',
    ],
    [
      'another version',
      { ...manifest, version: 2 },
      'it is not an Apollo persisted-query manifest ("format": "apollo-persisted-query-manifest", "version": 1)',
    ],
    ['no operations list', { ...manifest, operations: {} }, '"operations" is not a list'],
    [
      'an operation without a body',
      { ...manifest, operations: [{ id: totalId }] },
      'operations[0] needs a string "id" and a string "body"',
    ],
    [
      'an id listed twice',
      { ...manifest, operations: [manifest.operations[0], manifest.operations[0]] },
      `the id "${totalId}" is listed twice`,
    ],
    [
      'a body that is not GraphQL',
      { ...manifest, operations: [{ id: totalId, body: 'query {' }] },
      `the body of "${totalId}" is not a GraphQL document`,
    ],
  ])('%s', (name, content, problem) => {
    const path = write(`${name.replaceAll(' ', '-')}.json`, content);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: path })).toThrow(
      new ConfigError(`TRUSTED_DOCUMENTS=${JSON.stringify(path)} cannot be used: ${problem}.`),
    );
  });
});
