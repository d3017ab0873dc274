import { afterEach, describe, expect, it } from 'vitest';
import { userAgent } from '../src/server.js';
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

let upstream: TestUpstream;
let gateway: RunningGateway;

async function start(): Promise<void> {
  upstream = await startUpstream((_request, response) => sendJson(response, 200, drataPage([drataItem()])));
  gateway = await startGateway({ baseUrl: upstream.baseUrl });
}
afterEach(async () => {
  await gateway.close();
  await upstream.close();
});

const token = 'Bearer eyJhbGciOi.J-_~+/9zdW=';

describe('the request sent to Drata', () => {
  it('has the path, the query and exactly the allowed headers, with the token byte for byte', async () => {
    await start();
    const answer = await graphql(
      gateway.url,
      `
        {
          connections(
            filter: { providerTypes: [MDM, IDENTITY], state: ACTIVE }
            sort: { field: CONNECTED_AT, direction: DESC }
            page: { page: 2, limit: 10 }
          ) {
            total
          }
        }
      `,
      {
        headers: {
          authorization: token,
          'x-request-id': 'caller-req.42',
          cookie: 'session=secret',
          'x-forwarded-for': '10.0.0.1',
          'x-api-key': 'other-secret',
          'accept-language': 'fr',
        },
      },
    );
    expect(answer.body).toEqual({ data: { connections: { total: 1 } } });
    expect(answer.headers.get('x-request-id')).toBe('caller-req.42');
    expect(upstream.requests).toEqual([
      {
        method: 'GET',
        url: '/public/connections?page=2&limit=10&sort=CONNECTED_AT&sortDir=DESC&providerTypes=IDENTITY&providerTypes=MDM&state=ACTIVE',
        headers: {
          host: upstream.baseUrl.host,
          connection: 'keep-alive',
          authorization: token,
          accept: 'application/json',
          'user-agent': userAgent,
          'x-request-id': 'caller-req.42',
        },
        rawHeaders: expect.any(Array) as unknown,
      },
    ]);
    expect(userAgent).toMatch(/^drata-graphql-gateway\/\d+\.\d+\.\d+$/);
  });

  it('sends only page and limit when no argument is given, and a fresh request id', async () => {
    await start();
    const answer = await graphql(gateway.url, '{ connections { total } }', {
      headers: { authorization: 'bearer lower-case-scheme' },
    });
    expect(answer.body).toEqual({ data: { connections: { total: 1 } } });
    const [request] = upstream.requests;
    expect(request?.url).toBe('/public/connections?page=1&limit=20');
    expect(request?.headers['authorization']).toBe('bearer lower-case-scheme');
    const requestId = request?.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(answer.headers.get('x-request-id')).toBe(requestId);
  });

  it('replaces a caller request id that is not a plain id', async () => {
    await start();
    await graphql(gateway.url, '{ connections { total } }', {
      headers: { authorization: token, 'x-request-id': 'has spaces and <html>' },
    });
    expect(upstream.requests[0]?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('one upstream call per distinct request in an operation', () => {
  it('dedupes aliases with equal arguments, including provider types in another order', async () => {
    await start();
    const answer = await graphql(
      gateway.url,
      `
        {
          a: connections(page: { limit: 5 }, filter: { providerTypes: [MDM, CRM] }) {
            total
          }
          b: connections(page: { limit: 5 }, filter: { providerTypes: [CRM, MDM, MDM] }) {
            total
          }
          c: connections(filter: { providerTypes: [CRM, MDM] }, page: { page: 1, limit: 5 }) {
            total
          }
          d: connections(page: { limit: 6 }) {
            total
          }
        }
      `,
      { headers: { authorization: token } },
    );
    expect(answer.body).toEqual({
      data: { a: { total: 1 }, b: { total: 1 }, c: { total: 1 }, d: { total: 1 } },
    });
    expect(upstream.requests.map((request) => request.url).sort()).toEqual([
      '/public/connections?page=1&limit=5&providerTypes=CRM&providerTypes=MDM',
      '/public/connections?page=1&limit=6',
    ]);
  });

  it('does not share results between two HTTP requests', async () => {
    await start();
    for (let round = 0; round < 2; round += 1) {
      await graphql(gateway.url, '{ connections { total } }', { headers: { authorization: token } });
    }
    expect(upstream.requests).toHaveLength(2);
  });
});

describe('no upstream call', () => {
  it.each([
    ['no Authorization header', {}],
    ['a Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty token', { authorization: 'Bearer ' }],
    ['a tab in the token', { authorization: 'Bearer abc\tdef' }],
    ['a token over 4 KiB', { authorization: `Bearer ${'a'.repeat(4096)}` }],
  ])('for %s', async (_name, headers: Record<string, string>) => {
    await start();
    const answer = await graphql(gateway.url, '{ connections { total } }', { headers });
    expect(answer.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(upstream.requests).toEqual([]);
  });

  it.each([
    ['page 0', '{ connections(page: { page: 0 }) { total } }'],
    ['limit 0', '{ connections(page: { limit: 0 }) { total } }'],
    ['limit 51', '{ connections(page: { limit: 51 }) { total } }'],
    ['an UNKNOWN provider type', '{ connections(filter: { providerTypes: [MDM, UNKNOWN] }) { total } }'],
    ['an UNKNOWN state', '{ connections(filter: { state: UNKNOWN }) { total } }'],
    ['a value not in an enum', '{ connections(filter: { state: PAUSED }) { total } }'],
  ])('for %s', async (_name, query) => {
    await start();
    const answer = await graphql(gateway.url, query, { headers: { authorization: token } });
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(
      answer.body.errors?.[0]?.extensions.code,
    );
    expect(upstream.requests).toEqual([]);
  });
});
