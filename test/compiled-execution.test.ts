import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { compileAfterRuns } from '../src/compiled-execution.js';
import {
  connectionFields,
  graphql,
  startGateway,
  type GraphQLAnswer,
  type RunningGateway,
} from './helpers.js';

const token = { authorization: 'Bearer sandbox-token' };

/** Documents that answer without an error, and their variables. */
const clean: readonly (readonly [string, Record<string, unknown>?])[] = [
  [
    `{ connections { total totalPages hasNextPage hasPreviousPage page limit nodes { ${connectionFields} } } }`,
  ],
  [
    `query Filtered($filter: DrataConnectionFilter, $sort: DrataConnectionSort, $page: DrataPageInput) {
      connections(filter: $filter, sort: $sort, page: $page) { total nodes { id state clientType connectedAt providerTypes { value isEnabled } } }
    }`,
    { filter: { state: 'ACTIVE' }, sort: { field: 'CONNECTED_AT', direction: 'DESC' }, page: { limit: 50 } },
  ],
  [
    `query Parts($skip: Boolean!) {
      a: connections(page: { limit: 2 }) { ...Page }
      b: connections(page: { limit: 2 }) @skip(if: $skip) { total }
      __typename
    }
    fragment Page on DrataConnectionPage { total nodes { ... on DrataConnection { id __typename } } }`,
    { skip: true },
  ],
  [
    '{ counts: connections(filter: { state: MISCONFIGURED }, page: { page: 3, limit: 7 }) { total totalPages page limit hasNextPage hasPreviousPage } }',
  ],
  [
    `{ _entities(representations: [{ __typename: "DrataConnection", id: "3" }, { __typename: "DrataConnection", id: "150" }]) {
      ... on DrataConnection { id state clientAlias }
    } }`,
  ],
];

/** Documents whose answer has an error, and the caller that sends them. */
const failing: readonly (readonly [string, Record<string, string>, Record<string, unknown>?])[] = [
  ['{ connections { total } }', { authorization: 'Bearer sandbox-403' }],
  ['query Big($page: DrataPageInput) { connections(page: $page) { total } }', token, { page: { limit: 51 } }],
  ['{ connections { page } }', {}],
  [
    `{ _entities(representations: [{ __typename: "DrataConnection", id: "2" }, { __typename: "DrataConnection", id: "999999" }]) {
      ... on DrataConnection { id state }
    } }`,
    token,
  ],
];

/** An answer with the request ids (fresh for every request) blanked. */
const comparable = (answer: GraphQLAnswer): unknown => ({
  status: answer.status,
  body: JSON.parse(JSON.stringify(answer.body).replace(/"requestId":"[^"]+"/g, '"requestId":"…"')) as unknown,
});

let sandbox: Sandbox;
let compiled: RunningGateway;
let interpreted: RunningGateway;
beforeAll(async () => {
  sandbox = await startSandbox();
  compiled = await startGateway({ baseUrl: sandbox.baseUrl });
  interpreted = await startGateway({ baseUrl: sandbox.baseUrl, compiledExecution: false });
});
afterAll(async () => {
  await compiled.close();
  await interpreted.close();
  await sandbox.close();
});

describe('compiled execution', () => {
  it('answers documents that come back exactly as graphql-js does, errors included, and compiles only those', async () => {
    const runs = compileAfterRuns + 2;
    const cases = [...clean.map(([query, variables]) => [query, token, variables] as const), ...failing];
    for (const [query, headers, variables] of cases) {
      const expected = comparable(
        await graphql(interpreted.url, query, { headers, ...(variables ? { variables } : {}) }),
      );
      for (let run = 1; run <= runs; run += 1) {
        const answer = await graphql(compiled.url, query, { headers, ...(variables ? { variables } : {}) });
        expect({ run, query, answer: comparable(answer) }).toEqual({ run, query, answer: expected });
      }
    }
    // Each document ran `runs` times: the first `compileAfterRuns - 1` by graphql-js, the rest compiled;
    // a compiled run with an error is answered again by graphql-js.
    const compiledRuns = runs - compileAfterRuns + 1;
    expect(compiled.gateway.execution).toEqual({
      compiled: cases.length,
      compiledRuns: clean.length * compiledRuns,
      fallbacks: failing.length * compiledRuns,
    });
    expect(interpreted.gateway.execution).toEqual({ compiled: 0, compiledRuns: 0, fallbacks: 0 });
  });

  it('a document sent once is never compiled', async () => {
    const before = { ...compiled.gateway.execution };
    await graphql(compiled.url, '{ once: connections(page: { limit: 1 }) { total } }', { headers: token });
    expect(compiled.gateway.execution).toEqual(before);
  });
});
