import { describe, expect, it } from 'vitest';
import {
  connectionStateValues,
  providerTypeValues,
  sortDirectionValues,
  sortFieldValues,
} from '../src/__generated__/drata-enums.js';
import type { ConnectionDto } from '../src/upstream/types.js';
import { graphql, pageFields, useSandboxGateway } from './helpers.js';

const running = useSandboxGateway();
const auth = { authorization: 'Bearer sandbox-token' };

interface RestPage {
  data: ConnectionDto[];
  page: number;
  limit: number;
  total: number;
}

/** The sandbox's own REST answer for a query string. */
async function rest(query: string): Promise<RestPage> {
  const response = await fetch(`${running.sandbox.baseUrl.href}/connections?${query}`, { headers: auth });
  expect(response.status).toBe(200);
  return (await response.json()) as RestPage;
}

/** What the gateway must serve for a REST item. */
const expectedNode = (item: ConnectionDto) => ({
  id: String(item.id),
  clientType: item.clientType,
  clientTypeRaw: item.clientType,
  state: item.state,
  stateRaw: item.state,
  connected: item.connected,
  connectedAt: item.connectedAt,
  failedAt: item.failedAt,
  clientId: item.clientId,
  clientAlias: item.clientAlias,
  aliasUpdatedAt: item.aliasUpdatedAt,
  deletedAt: item.deletedAt,
  providerTypes: (item.providerTypes ?? []).map((entry) => ({
    value: entry.value,
    valueRaw: entry.value,
    isEnabled: entry.isEnabled,
  })),
  code: item.code,
  groupLabel: item.groupLabel ?? null,
});

/** What the gateway must serve for a REST page. */
const expectedPage = (page: RestPage) => {
  const totalPages = Math.ceil(page.total / page.limit);
  return {
    page: page.page,
    limit: page.limit,
    total: page.total,
    totalPages,
    hasNextPage: page.page < totalPages,
    hasPreviousPage: page.page > 1,
    nodes: page.data.map(expectedNode),
  };
};

const query = `query ($filter: DrataConnectionFilter, $sort: DrataConnectionSort, $page: DrataPageInput) {
  connections(filter: $filter, sort: $sort, page: $page) { ${pageFields} }
}`;

async function connections(variables: Record<string, unknown>) {
  const answer = await graphql(running.gateway.url, query, { variables, headers: auth });
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data?.['connections'] as ReturnType<typeof expectedPage>;
}

describe('filters', () => {
  it.each(providerTypeValues)('providerTypes [%s] matches the sandbox', async (type) => {
    const served = await connections({ filter: { providerTypes: [type] }, page: { limit: 50 } });
    const expected = expectedPage(await rest(`page=1&limit=50&providerTypes=${type}`));
    expect(expected.total).toBeGreaterThan(0);
    expect(served).toEqual(expected);
  });

  it('several provider types at once keep connections of any of them', async () => {
    const served = await connections({
      filter: { providerTypes: ['MDM', 'IDENTITY', 'CRM'] },
      page: { limit: 50 },
    });
    const expected = expectedPage(
      await rest('page=1&limit=50&providerTypes=CRM&providerTypes=IDENTITY&providerTypes=MDM'),
    );
    const single = await Promise.all(
      ['MDM', 'IDENTITY', 'CRM'].map((type) => rest(`page=1&limit=50&providerTypes=${type}`)),
    );
    expect(expected.total).toBeGreaterThan(Math.max(...single.map((page) => page.total)));
    expect(served).toEqual(expected);
  });

  it.each(connectionStateValues)('state %s matches the sandbox', async (state) => {
    const served = await connections({ filter: { state }, page: { limit: 50 } });
    const expected = expectedPage(await rest(`page=1&limit=50&state=${state}`));
    expect(expected.total).toBeGreaterThan(0);
    expect(served.nodes.every((node) => node.state === state)).toBe(true);
    expect(served).toEqual(expected);
  });

  it('provider types and state together', async () => {
    const served = await connections({
      filter: { providerTypes: ['INFRASTRUCTURE', 'HRIS'], state: 'MISCONFIGURED' },
      page: { limit: 50 },
    });
    const expected = expectedPage(
      await rest('page=1&limit=50&providerTypes=HRIS&providerTypes=INFRASTRUCTURE&state=MISCONFIGURED'),
    );
    expect(expected.total).toBeGreaterThan(0);
    expect(served).toEqual(expected);
  });

  it('an empty providerTypes list does not filter', async () => {
    const served = await connections({ filter: { providerTypes: [] } });
    expect(served).toEqual(expectedPage(await rest('page=1&limit=20')));
    expect(served.total).toBe(160);
  });
});

describe('sorting', () => {
  const cases = sortFieldValues.flatMap((field) =>
    sortDirectionValues.map((direction) => [field, direction] as const),
  );

  it.each(cases)('%s %s orders all connections as the sandbox does', async (field, direction) => {
    const served = [];
    const expected = [];
    for (let page = 1; page <= 4; page += 1) {
      served.push(await connections({ sort: { field, direction }, page: { page, limit: 50 } }));
      expected.push(expectedPage(await rest(`page=${page}&limit=50&sort=${field}&sortDir=${direction}`)));
    }
    expect(served).toEqual(expected);
    expect(new Set(served.flatMap((page) => page.nodes.map((node) => node.id))).size).toBe(160);
  });

  it('the sort defaults to CREATED_AT ascending', async () => {
    const served = await connections({ sort: {} });
    expect(served).toEqual(expectedPage(await rest('page=1&limit=20&sort=CREATED_AT&sortDir=ASC')));
    expect(served).toEqual(await connections({}));
  });
});

describe('paging', () => {
  it.each([
    ['first', 1, 25, { hasPreviousPage: false, hasNextPage: true, count: 25 }],
    ['middle', 3, 25, { hasPreviousPage: true, hasNextPage: true, count: 25 }],
    ['last', 7, 25, { hasPreviousPage: true, hasNextPage: false, count: 10 }],
    ['past the end', 9, 25, { hasPreviousPage: true, hasNextPage: false, count: 0 }],
  ] as const)('the %s page', async (_name, page, limit, shape) => {
    const served = await connections({ page: { page, limit } });
    expect(served).toEqual(expectedPage(await rest(`page=${page}&limit=${limit}`)));
    expect({
      total: served.total,
      totalPages: served.totalPages,
      hasPreviousPage: served.hasPreviousPage,
      hasNextPage: served.hasNextPage,
      count: served.nodes.length,
    }).toEqual({ total: 160, totalPages: 7, ...shape });
  });

  it('limit 50, the largest, and limit 1, the smallest', async () => {
    expect(await connections({ page: { limit: 50 } })).toEqual(expectedPage(await rest('page=1&limit=50')));
    const one = await connections({ page: { page: 160, limit: 1 } });
    expect(one).toEqual(expectedPage(await rest('page=160&limit=1')));
    expect([one.totalPages, one.hasNextPage, one.nodes.length]).toEqual([160, false, 1]);
  });

  it('paging through every page visits each connection once', async () => {
    const ids: string[] = [];
    let page = 1;
    for (;;) {
      const served = await connections({ page: { page, limit: 37 } });
      ids.push(...served.nodes.map((node) => node.id));
      if (!served.hasNextPage) break;
      page += 1;
    }
    expect(page).toBe(5);
    expect(new Set(ids).size).toBe(160);
  });
});
