import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientTypeValues,
  connectionStateValues,
  providerTypeValues,
  sortDirectionValues,
  sortFieldValues,
} from '../src/__generated__/drata-enums.js';
import { createSandboxConnections } from '../src/sandbox/data.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { checkConnectionPage } from '../src/upstream/validate.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

async function get(query: string, token = 'sandbox-token', path = '/connections') {
  const response = await fetch(`${sandbox.baseUrl.href}${path}?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as unknown,
  };
}

describe('the data set', () => {
  const connections = createSandboxConnections();
  const items = connections.map((connection) => connection.item);

  it('is the same on every run', () => {
    expect(createSandboxConnections()).toEqual(connections);
    expect(items).toHaveLength(160);
  });

  it('covers every provider type and state, and many client types', () => {
    const providerTypes = new Set(
      items.flatMap((item) => (item.providerTypes ?? []).map((entry) => entry.value)),
    );
    expect([...providerTypes].sort()).toEqual([...providerTypeValues].sort());
    expect([...new Set(items.map((item) => item.state))].sort()).toEqual([...connectionStateValues].sort());
    const clientTypes = new Set(items.map((item) => item.clientType));
    expect(clientTypes.size).toBeGreaterThanOrEqual(100);
    for (const type of clientTypes) expect(clientTypeValues).toContain(type);
  });

  it.each([
    'connectedAt',
    'failedAt',
    'clientId',
    'clientAlias',
    'aliasUpdatedAt',
    'deletedAt',
    'code',
    'groupLabel',
  ] as const)('holds both null and present values of %s', (field) => {
    expect(items.some((item) => item[field] === null)).toBe(true);
    expect(items.some((item) => item[field] !== null && item[field] !== undefined)).toBe(true);
  });

  it('leaves out the optional providerTypes and groupLabel on some items, and has empty provider lists', () => {
    expect(items.some((item) => !('providerTypes' in item))).toBe(true);
    expect(items.some((item) => !('groupLabel' in item))).toBe(true);
    expect(items.some((item) => item.providerTypes?.length === 0)).toBe(true);
  });

  it('every page it serves has the documented shape', async () => {
    for (let page = 1; page <= 4; page += 1) {
      const answer = await get(`page=${page}&limit=50`);
      expect(answer.status).toBe(200);
      expect(checkConnectionPage(answer.body)).toEqual(answer.body);
    }
  });
});

describe('sorting', () => {
  const keyOf: Record<
    string,
    (item: {
      id: number;
      connectedAt: string | null;
      clientType: string;
      state: string;
      providerTypes?: { value: string }[];
    }) => string | null
  > = {
    CONNECTED_AT: (item) => item.connectedAt,
    CONNECTION_PROVIDER_TYPE: (item) => item.providerTypes?.[0]?.value ?? null,
    CONNECTION_CLIENT_TYPE: (item) => item.clientType,
    CONNECTION_STATE: (item) => item.state,
  };
  const cases = sortFieldValues.flatMap((field) =>
    sortDirectionValues.map((direction) => [field, direction] as const),
  );

  it.each(cases)('%s %s is ordered, nulls last, ties by id', async (field, direction) => {
    const all: { id: number; connectedAt: string | null; clientType: string; state: string }[] = [];
    for (let page = 1; page <= 4; page += 1) {
      const answer = (await get(`page=${page}&limit=50&sort=${field}&sortDir=${direction}`)).body as {
        data: typeof all;
      };
      all.push(...answer.data);
    }
    expect(all).toHaveLength(160);
    const created = new Map(
      createSandboxConnections().map((connection) => [connection.item.id, connection.createdAt]),
    );
    const key = keyOf[field] ?? ((item: { id: number }) => created.get(item.id) ?? null);
    for (let index = 1; index < all.length; index += 1) {
      const [before, after] = [all[index - 1]!, all[index]!];
      const [a, b] = [key(before), key(after)];
      if (a === b) expect(before.id).toBeLessThan(after.id);
      else if (a === null) throw new Error(`null before a value at ${index}`);
      else if (b !== null) expect(direction === 'ASC' ? a < b : a > b).toBe(true);
    }
  });
});

describe('validation and errors, shaped like ExceptionResponseDto', () => {
  it.each([
    ['page=0', 'page must not be less than 1'],
    ['limit=0', 'limit must not be less than 1'],
    ['limit=51', 'limit must not be greater than 50'],
    ['page=first', 'page must be a number conforming to the specified constraints'],
    [
      'sort=NAME',
      'sort must be one of the following values: CREATED_AT, CONNECTED_AT, CONNECTION_PROVIDER_TYPE, CONNECTION_CLIENT_TYPE, CONNECTION_STATE',
    ],
    ['sortDir=UP', 'sortDir must be one of the following values: ASC, DESC'],
    [
      'state=PAUSED',
      'state must be one of the following values: ACTIVE, MISCONFIGURED, CONFIGURED_PENDING_CONFIRMATION, IN_PROGRESS',
    ],
  ])('%s is a 400', async (query, message) => {
    expect(await get(query)).toEqual({
      status: 400,
      retryAfter: null,
      body: { statusCode: 400, message, code: 40000 },
    });
  });

  it('an unknown provider type is a 400', async () => {
    const answer = await get('providerTypes=MDM&providerTypes=QUANTUM');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, code: 40000 });
  });

  it.each([
    ['sandbox-401', 401, 'Invalid Authorization', null],
    ['wrong', 401, 'Invalid Authorization', null],
    ['sandbox-402', 402, 'You must upgrade your plan to use this feature', null],
    ['sandbox-403', 403, 'You are not allowed to perform this action', null],
    ['sandbox-412', 412, 'You must accept the Drata terms and conditions to use the API', null],
    ['sandbox-429', 429, 'Too Many Requests', '30'],
    ['sandbox-500', 500, 'Internal server error', null],
    ['constructor', 401, 'Invalid Authorization', null],
  ])('the token %s answers %i', async (token, status, message, retryAfter) => {
    expect(await get('page=1', token)).toEqual({
      status,
      retryAfter,
      body: { statusCode: status, message, code: status * 100 },
    });
  });

  it('another path is a 404', async () => {
    expect(await get('', 'sandbox-token', '/users')).toEqual({
      status: 404,
      retryAfter: null,
      body: { statusCode: 404, message: 'Cannot GET /public/users', code: 40400 },
    });
  });
});
