import { expect, it } from 'vitest';
import { drataItem, drataPage, graphql, sendJson, startGateway, useUpstreamGateway } from './helpers.js';

const servers = useUpstreamGateway((_request, response) => sendJson(response, 200, drataPage([drataItem()])));

const headers = { authorization: 'Bearer budget', 'x-request-id': 'req-1' };

/** A document with `count` aliased `connections` fields, each asking for a page of its own. */
const aliases = (count: number, first = 1): string =>
  `{ ${Array.from({ length: count }, (_, index) => `p${index}: connections(page: { page: ${first + index} }) { total }`).join(' ')} }`;

const refused = (count: number) => ({
  errors: [
    {
      message: `The operation needs ${count} calls to Drata; one operation may make at most 10 (MAX_UPSTREAM_CALLS_PER_OPERATION).`,
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', requestId: 'req-1' },
    },
  ],
});

it('exactly at the limit, ten distinct calls are served', async () => {
  const answer = await graphql(servers.gateway.url, aliases(10), { headers });
  expect(answer.body).toEqual({
    data: Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`p${index}`, { total: 1 }])),
  });
  expect(servers.upstream.requests).toHaveLength(10);
});

it('one over the limit: the whole operation is refused with HTTP 400, and Drata is never called', async () => {
  const answer = await fetch(servers.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: aliases(11) }),
  });
  expect(answer.status).toBe(400);
  expect(answer.headers.get('content-type')).toContain('application/graphql-response+json');
  expect(await answer.json()).toEqual(refused(11));
  expect(servers.upstream.requests).toEqual([]);
});

it('200 aliases are refused before any call: by the document limits, or without them by the budget', async () => {
  expect((await graphql(servers.gateway.url, aliases(200), { headers })).body).toEqual({
    errors: [
      {
        message: 'The operation is over the tokens limit: Token limit of 2000 exceeded.',
        extensions: { code: 'OPERATION_LIMIT_EXCEEDED' },
      },
    ],
  });
  await using roomy = await startGateway({
    baseUrl: servers.upstream.baseUrl,
    hardening: { documentLimits: { maxAliases: 1000, maxTokens: 100_000 } },
  });
  expect((await graphql(roomy.url, aliases(200), { headers })).body).toEqual(refused(200));
  expect(servers.upstream.requests).toEqual([]);
});

it('equal requests count once, however they are written', async () => {
  // Eleven spellings of one filter (IDENTITY repeated 1 to 11 times) and two of the default page: two
  // requests, as the loader will make them.
  const fields = [
    ...Array.from(
      { length: 11 },
      (_, index) =>
        `a${index}: connections(filter: { providerTypes: [${Array.from({ length: index + 1 }, () => 'IDENTITY').join(', ')}] }) { total }`,
    ),
    'b1: connections { total }',
    'b2: connections(page: { page: 1, limit: 20 }) { total }',
  ];
  const answer = await graphql(servers.gateway.url, `{ ${fields.join(' ')} }`, { headers });
  expect(Object.keys(answer.body.data ?? {})).toHaveLength(13);
  expect(answer.body.errors).toBeUndefined();
  expect(servers.upstream.requests.map((request) => request.url).sort()).toEqual([
    '/public/connections?page=1&limit=20',
    '/public/connections?page=1&limit=20&providerTypes=IDENTITY',
  ]);
});

it('fields reached through fragments, inline fragments and variables all count', async () => {
  const query = `
    query ($a: Int!, $b: Int!) {
      ...Pages
      ... on Query { x: connections(page: { page: $a }) { total } y: connections(page: { page: $b }) { total } }
    }
    fragment Pages on Query { ${Array.from({ length: 10 }, (_, index) => `f${index}: connections(page: { page: ${index + 1} }) { total }`).join(' ')} }
  `;
  // $a repeats page 1 (counted once); $b is an eleventh page.
  expect((await graphql(servers.gateway.url, query, { headers, variables: { a: 1, b: 11 } })).body).toEqual(
    refused(10 + 1),
  );
  expect(servers.upstream.requests).toEqual([]);
  const answer = await graphql(servers.gateway.url, query, { headers, variables: { a: 1, b: 2 } });
  expect(answer.body.errors).toBeUndefined();
  expect(servers.upstream.requests).toHaveLength(10);
});

it('fields skipped by @skip or @include are not counted', async () => {
  const query = `query ($off: Boolean!) { ${Array.from({ length: 11 }, (_, index) => `p${index}: connections(page: { page: ${index + 1} }) ${index === 10 ? '@include(if: $off)' : ''} { total }`).join(' ')} }`;
  const answer = await graphql(servers.gateway.url, query, { headers, variables: { off: false } });
  expect(answer.body.errors).toBeUndefined();
  expect(servers.upstream.requests).toHaveLength(10);
  servers.upstream.requests.length = 0;
  expect((await graphql(servers.gateway.url, query, { headers, variables: { off: true } })).body).toEqual(
    refused(11),
  );
  expect(servers.upstream.requests).toEqual([]);
});

it('fields the resolver refuses make no call and are not counted', async () => {
  const query = `{ ${aliases(10).slice(2, -2)} bad: connections(page: { page: 0 }) { total } }`;
  const answer = await graphql(servers.gateway.url, query, { headers });
  expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual(['BAD_USER_INPUT']);
  expect(servers.upstream.requests).toHaveLength(10);
});

it('the limit is configurable', async () => {
  await using strict = await startGateway({
    baseUrl: servers.upstream.baseUrl,
    maxUpstreamCallsPerOperation: 2,
  });
  const answer = await graphql(strict.url, aliases(3), { headers });
  expect(answer.body).toEqual({
    errors: [
      {
        message:
          'The operation needs 3 calls to Drata; one operation may make at most 2 (MAX_UPSTREAM_CALLS_PER_OPERATION).',
        extensions: { code: 'OPERATION_LIMIT_EXCEEDED', requestId: 'req-1' },
      },
    ],
  });
  expect(servers.upstream.requests).toEqual([]);
});

it('a summary counts as its first page: the same call as connections(page: { limit: 50 }) with its filter', async () => {
  // Nine pages of 20, a summary's first page, and a connections field asking for that very page.
  const query = `{ ${aliases(9).slice(2, -2)} s: connectionSummary(filter: { state: ACTIVE }) { total } c: connections(filter: { state: ACTIVE }, page: { limit: 50 }) { total } }`;
  const answer = await graphql(servers.gateway.url, query, { headers });
  expect(answer.body).toEqual({
    data: {
      ...Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`p${index}`, { total: 1 }])),
      s: { total: 1 },
      c: { total: 1 },
    },
  });
  expect(servers.upstream.requests).toHaveLength(10);
  // A summary over another filter is an eleventh call: refused before any.
  servers.upstream.requests.length = 0;
  const over = `{ ${aliases(9).slice(2, -2)} s: connectionSummary(filter: { state: ACTIVE }) { total } t: connectionSummary { total } }`;
  expect((await graphql(servers.gateway.url, over, { headers })).body).toEqual(refused(11));
  expect(servers.upstream.requests).toEqual([]);
});

it('a summary the resolver refuses is not counted', async () => {
  const query = `{ ${aliases(10).slice(2, -2)} s: connectionSummary(filter: { providerTypes: [UNKNOWN] }) { total } }`;
  const answer = await graphql(servers.gateway.url, query, { headers });
  expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual(['BAD_USER_INPUT']);
  expect(servers.upstream.requests).toHaveLength(10);
});
