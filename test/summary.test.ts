import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxConnections } from '../src/sandbox/data.js';
import {
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  useUpstreamGateway,
  type RunningGateway,
  type TestUpstream,
  startRecordedSandbox,
  type RecordedSandbox,
} from './helpers.js';

const summaryFields = `
  total
  byState { state count }
  byProviderType { providerType count enabledCount }
  byClientType { clientType count }
`;

const auth = { authorization: 'Bearer sandbox-token', 'x-request-id': 'req-1' };

/** By count descending, then by name in code-point order. */
const ordered = <T extends { count: number }>(entries: T[], name: (entry: T) => string): T[] =>
  entries.sort((a, b) => b.count - a.count || (name(a) < name(b) ? -1 : 1));

/**
 * The summary counted straight from the sandbox's own data set (every value in it is one the schema
 * lists), for the connections `keep` keeps.
 */
function expectedSummary(
  keep: (item: ReturnType<typeof createSandboxConnections>[number]['item']) => boolean,
) {
  const items = createSandboxConnections()
    .map((connection) => connection.item)
    .filter(keep);
  const tally = (values: string[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    return counts;
  };
  const states = tally(items.map((item) => item.state));
  const clientTypes = tally(items.map((item) => item.clientType));
  const providerTypes = [
    ...new Set(items.flatMap((item) => (item.providerTypes ?? []).map((entry) => entry.value))),
  ];
  return {
    total: items.length,
    byState: ordered(
      [...states].map(([state, count]) => ({ state, count })),
      (entry) => entry.state,
    ),
    byProviderType: ordered(
      providerTypes.map((providerType) => ({
        providerType,
        count: items.filter((item) => item.providerTypes?.some((entry) => entry.value === providerType))
          .length,
        enabledCount: items.filter((item) =>
          item.providerTypes?.some((entry) => entry.value === providerType && entry.isEnabled),
        ).length,
      })),
      (entry) => entry.providerType,
    ),
    byClientType: ordered(
      [...clientTypes].map(([clientType, count]) => ({ clientType, count })),
      (entry) => entry.clientType,
    ),
  };
}

describe('against the sandbox', () => {
  /** The sandbox behind a recording upstream: what the gateway sends to "Drata". */
  let recorded: RecordedSandbox;
  let drata: TestUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    recorded = await startRecordedSandbox();
    drata = recorded.drata;
    gateway = await startGateway({ baseUrl: new URL('/public', drata.baseUrl) });
  });
  afterAll(async () => {
    await gateway.close();
    await recorded.close();
  });
  beforeEach(() => {
    drata.requests.length = 0;
  });

  const urls = (): string[] => drata.requests.map((request) => request.url).sort();
  const pageUrls = (pages: number, filter = ''): string[] =>
    Array.from(
      { length: pages },
      (_, index) => `/public/connections?page=${index + 1}&limit=50${filter}`,
    ).sort();

  it('without a filter, counts every connection of the sandbox, in ceil(160 / 50) = 4 calls', async () => {
    const answer = await graphql(gateway.url, `{ connectionSummary { ${summaryFields} } }`, {
      headers: auth,
    });
    const expected = expectedSummary(() => true);
    expect(expected.total).toBe(160);
    expect(answer.body).toEqual({ data: { connectionSummary: expected } });
    expect(urls()).toEqual(pageUrls(4));
  });

  it('with a filter, counts only what it keeps, in ceil(total / 50) calls', async () => {
    const keep = ['VERSION_CONTROL', 'EDR', 'IDENTITY', 'MDM', 'INFRASTRUCTURE', 'OBSERVABILITY', 'CODEBASE'];
    const expected = expectedSummary((item) =>
      (item.providerTypes ?? []).some((entry) => keep.includes(entry.value)),
    );
    // More than one page, fewer than all.
    expect(expected.total).toBeGreaterThan(50);
    expect(expected.total).toBeLessThan(160);
    const answer = await graphql(
      gateway.url,
      `query ($filter: DrataConnectionFilter) { connectionSummary(filter: $filter) { ${summaryFields} } }`,
      {
        headers: auth,
        variables: { filter: { providerTypes: keep } },
      },
    );
    expect(answer.body).toEqual({ data: { connectionSummary: expected } });
    expect(urls()).toEqual(
      pageUrls(
        Math.ceil(expected.total / 50),
        [...keep]
          .sort()
          .map((type) => `&providerTypes=${type}`)
          .join(''),
      ),
    );
  });

  it('a state filter keeps one state', async () => {
    const answer = await graphql(
      gateway.url,
      `{ connectionSummary(filter: { state: MISCONFIGURED }) { ${summaryFields} } }`,
      { headers: auth },
    );
    const expected = expectedSummary((item) => item.state === 'MISCONFIGURED');
    expect(expected.byState).toEqual([{ state: 'MISCONFIGURED', count: expected.total }]);
    expect(answer.body).toEqual({ data: { connectionSummary: expected } });
    expect(urls()).toEqual(pageUrls(Math.ceil(expected.total / 50), '&state=MISCONFIGURED'));
  });

  it('shares its pages with a connections field of the same operation: ceil(total / 50) calls in all', async () => {
    const answer = await graphql(
      gateway.url,
      `
        {
          connectionSummary {
            total
          }
          again: connectionSummary(filter: {}) {
            total
          }
          connections(page: { limit: 50 }) {
            total
            nodes {
              id
            }
          }
          p3: connections(page: { page: 3, limit: 50 }) {
            page
          }
        }
      `,
      { headers: auth },
    );
    expect(answer.body).toEqual({
      data: {
        connectionSummary: { total: 160 },
        again: { total: 160 },
        connections: {
          total: 160,
          nodes: Array.from({ length: 50 }, (_, index) => ({ id: String(index + 1) })),
        },
        p3: { page: 3 },
      },
    });
    expect(urls()).toEqual(pageUrls(4));
  });

  it('shares its pages with entity lookups of the same operation', async () => {
    const answer = await graphql(
      gateway.url,
      `
        query ($representations: [_Any!]!) {
          connectionSummary {
            total
          }
          _entities(representations: $representations) {
            ... on DrataConnection {
              id
            }
          }
        }
      `,
      {
        headers: auth,
        variables: {
          representations: ['150', '999999'].map((id) => ({ __typename: 'DrataConnection', id })),
        },
      },
    );
    expect(answer.body).toEqual({
      data: { connectionSummary: { total: 160 }, _entities: [{ id: '150' }, null] },
    });
    expect(urls()).toEqual(pageUrls(4));
  });

  it('past the page cap: null and SCAN_LIMIT_REACHED after page 1; a filter under the cap still counts', async () => {
    await using capped = await startGateway({
      baseUrl: new URL('/public', drata.baseUrl),
      listReader: { maxPages: 3, parallelism: 2 },
    });
    const answer = await graphql(
      capped.url,
      '{ connections(page: { limit: 1 }) { total } connectionSummary { total } }',
      { headers: auth },
    );
    expect(answer.body).toEqual({
      data: { connections: { total: 160 }, connectionSummary: null },
      errors: [
        {
          message:
            '160 connections match the filter: 4 pages of 50, more than the 3 a read of the whole list may fetch (DRATA_LIST_MAX_PAGES). Narrow the filter.',
          locations: [{ line: 1, column: 45 }],
          path: ['connectionSummary'],
          extensions: { code: 'SCAN_LIMIT_REACHED', requestId: 'req-1' },
        },
      ],
    });
    expect(urls()).toEqual(['/public/connections?page=1&limit=1', '/public/connections?page=1&limit=50']);
    drata.requests.length = 0;
    const active = await graphql(capped.url, '{ connectionSummary(filter: { state: ACTIVE }) { total } }', {
      headers: auth,
    });
    expect(active.body).toEqual({ data: { connectionSummary: { total: 40 } } });
    expect(urls()).toEqual(['/public/connections?page=1&limit=50&state=ACTIVE']);
  });

  it('a cap of exactly the pages the list fills counts the whole list', async () => {
    await using exact = await startGateway({
      baseUrl: new URL('/public', drata.baseUrl),
      listReader: { maxPages: 4, parallelism: 1 },
    });
    const answer = await graphql(exact.url, `{ connectionSummary { ${summaryFields} } }`, { headers: auth });
    expect(answer.body).toEqual({ data: { connectionSummary: expectedSummary(() => true) } });
    expect(drata.requests.map((request) => request.url)).toEqual(
      [1, 2, 3, 4].map((page) => `/public/connections?page=${page}&limit=50`),
    );
  });

  it('a filter on UNKNOWN is BAD_USER_INPUT, with no call', async () => {
    const answer = await graphql(gateway.url, '{ connectionSummary(filter: { state: UNKNOWN }) { total } }', {
      headers: auth,
    });
    expect(answer.body).toEqual({
      data: { connectionSummary: null },
      errors: [
        {
          message: 'filter.state cannot be UNKNOWN: name the state to keep.',
          locations: [{ line: 1, column: 3 }],
          path: ['connectionSummary'],
          extensions: { code: 'BAD_USER_INPUT', requestId: 'req-1' },
        },
      ],
    });
    expect(drata.requests).toEqual([]);
  });
});

describe('against a Drata that sends values the schema does not know', () => {
  const items = [
    drataItem({
      id: 1,
      state: 'HIBERNATING',
      clientType: 'OKTA',
      providerTypes: [
        { value: 'TELEPATHY', isEnabled: false },
        { value: 'QUANTUM', isEnabled: true },
        { value: 'IDENTITY', isEnabled: false },
        { value: 'IDENTITY', isEnabled: true },
      ],
    }),
    drataItem({
      id: 2,
      state: 'ACTIVE',
      clientType: 'BRAND_NEW_TOOL',
      providerTypes: [{ value: 'TELEPATHY', isEnabled: false }],
    }),
    drataItem({
      id: 3,
      state: 'ACTIVE',
      clientType: 'GITHUB',
      providerTypes: [{ value: 'VERSION_CONTROL', isEnabled: true }],
    }),
    drataItem({ id: 4, state: 'MISCONFIGURED', clientType: 'GITHUB', providerTypes: [] }),
    drataItem({
      id: 5,
      state: 'FROZEN',
      clientType: 'AZURE',
      providerTypes: [{ value: 'IDENTITY', isEnabled: false }],
    }),
    // Seen again on a later page (the list shifted while it was read): counted once.
    drataItem({
      id: 3,
      state: 'ACTIVE',
      clientType: 'GITHUB',
      providerTypes: [{ value: 'VERSION_CONTROL', isEnabled: true }],
    }),
  ];
  const servers = useUpstreamGateway((request, response) => {
    const page = Number(new URL(request.url ?? '', 'http://drata').searchParams.get('page'));
    // Two items a page, whatever the limit asked for.
    sendJson(response, 200, drataPage(items.slice((page - 1) * 2, page * 2), page, 2, items.length));
  });

  it('counts them under UNKNOWN, sorts by count then name, and counts a connection once', async () => {
    const answer = await graphql(servers.gateway.url, `{ connectionSummary { ${summaryFields} } }`, {
      headers: auth,
    });
    expect(answer.body).toEqual({
      data: {
        connectionSummary: {
          total: 5,
          byState: [
            { state: 'ACTIVE', count: 2 },
            { state: 'UNKNOWN', count: 2 },
            { state: 'MISCONFIGURED', count: 1 },
          ],
          byProviderType: [
            { providerType: 'IDENTITY', count: 2, enabledCount: 1 },
            { providerType: 'UNKNOWN', count: 2, enabledCount: 1 },
            { providerType: 'VERSION_CONTROL', count: 1, enabledCount: 1 },
          ],
          byClientType: [
            { clientType: 'GITHUB', count: 2 },
            { clientType: 'AZURE', count: 1 },
            { clientType: 'OKTA', count: 1 },
            { clientType: 'UNKNOWN', count: 1 },
          ],
        },
      },
    });
    // Pages as Drata cut them (2 items each): three pages.
    expect(servers.upstream.requests.map((request) => request.url)).toEqual(
      [1, 2, 3].map((page) => `/public/connections?page=${page}&limit=50`),
    );
    const noted = servers.gateway.logs
      .map((line) => JSON.parse(line) as { enumName?: string; value?: string })
      .filter((line) => line.enumName !== undefined)
      .map((line) => `${line.enumName}:${line.value}`)
      .sort();
    expect(noted).toEqual([
      'DrataClientType:BRAND_NEW_TOOL',
      'DrataConnectionState:FROZEN',
      'DrataConnectionState:HIBERNATING',
      'DrataProviderType:QUANTUM',
      'DrataProviderType:TELEPATHY',
    ]);
  });
});

describe('a page another field of the operation asks for', () => {
  it('reuses a page another field already fetched, after it settled', async () => {
    // 80 connections: page 1 holds 50, page 2 the other 30.
    const items = Array.from({ length: 80 }, (_, index) => drataItem({ id: index + 1 }));
    let page2Answered!: () => void;
    const page2Done = new Promise<void>((resolve) => (page2Answered = resolve));
    await using upstream = await startUpstream((request, response) => {
      const page = Number(new URL(request.url ?? '', 'http://drata').searchParams.get('page'));
      const answer = (): void =>
        sendJson(response, 200, drataPage(items.slice((page - 1) * 50, page * 50), page, 50, items.length));
      if (page === 1) {
        // Page 1 waits until page 2 has been answered, so page 2 is settled when the list read asks for it.
        void page2Done.then(answer);
        return;
      }
      response.once('finish', () => page2Answered());
      answer();
    });
    await using gateway = await startGateway({ baseUrl: upstream.baseUrl });
    const answer = await graphql(
      gateway.url,
      '{ connectionSummary { total } p2: connections(page: { page: 2, limit: 50 }) { page } }',
      { headers: { authorization: 'Bearer tok-review-8d3b' } },
    );
    expect(answer.body).toEqual({ data: { connectionSummary: { total: 80 }, p2: { page: 2 } } });
    expect(upstream.requests.map((request) => request.url).sort()).toEqual([
      '/public/connections?page=1&limit=50',
      '/public/connections?page=2&limit=50',
    ]);
  });
});
