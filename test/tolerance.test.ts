import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  connectionFields,
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
const auth = { authorization: 'Bearer tolerant' };

const items = [
  // Values Drata may add after this schema was generated, a string id, optional fields left out.
  {
    ...drataItem({
      id: '42',
      clientType: 'BRAND_NEW_TOOL',
      state: 'PAUSED',
      providerTypes: [
        { value: 'QUANTUM_SECURITY', isEnabled: true },
        { value: 'MDM', isEnabled: false },
      ],
      connectedAt: '2025-07-01T18:45:55.246+02:00',
      extraField: { nested: true },
    }),
    groupLabel: undefined,
  },
  { ...drataItem({ id: 43 }), providerTypes: undefined, groupLabel: undefined },
  drataItem({ id: 44, groupLabel: null, providerTypes: [], code: 10010 }),
];

beforeAll(async () => {
  upstream = await startUpstream((_request, response) => sendJson(response, 200, drataPage(items, 1, 20, 3)));
  gateway = await startGateway({ baseUrl: upstream.baseUrl });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

/** What the gateway serves for `drataItem()` as it is. */
const served = {
  id: '7',
  clientType: 'OKTA',
  clientTypeRaw: 'OKTA',
  state: 'ACTIVE',
  stateRaw: 'ACTIVE',
  connected: true,
  connectedAt: '2025-07-01T16:45:55.246Z',
  failedAt: null,
  clientId: 'abc123',
  clientAlias: 'My-connection-alias-1',
  aliasUpdatedAt: '2025-07-02T08:00:00.000Z',
  deletedAt: null,
  providerTypes: [{ value: 'IDENTITY', valueRaw: 'IDENTITY', isEnabled: true }],
  code: null,
  groupLabel: 'Everyone',
};

const expectedNodes = [
  {
    ...served,
    id: '42',
    clientType: 'UNKNOWN',
    clientTypeRaw: 'BRAND_NEW_TOOL',
    state: 'UNKNOWN',
    stateRaw: 'PAUSED',
    providerTypes: [
      { value: 'UNKNOWN', valueRaw: 'QUANTUM_SECURITY', isEnabled: true },
      { value: 'MDM', valueRaw: 'MDM', isEnabled: false },
    ],
    groupLabel: null,
  },
  { ...served, id: '43', providerTypes: [], groupLabel: null },
  { ...served, id: '44', providerTypes: [], code: 10010, groupLabel: null },
];

it('unknown enum values are UNKNOWN with the raw value beside them, and never an error', async () => {
  const answer = await graphql(gateway.url, `{ connections { total nodes { ${connectionFields} } } }`, {
    headers: auth,
  });
  expect(answer.body).toEqual({ data: { connections: { total: 3, nodes: expectedNodes } } });
});

it('each unknown value is logged once, however often it is served', async () => {
  for (let round = 0; round < 3; round += 1) {
    await graphql(gateway.url, '{ connections { nodes { clientType state providerTypes { value } } } }', {
      headers: auth,
    });
  }
  const warnings = gateway.logs
    .map((line) => JSON.parse(line) as { msg: string; enumName?: string; value?: string })
    .filter((line) => line.msg.includes('does not list'))
    .map(({ enumName, value }) => ({ enumName, value }));
  expect(warnings).toEqual([
    { enumName: 'DrataClientType', value: 'BRAND_NEW_TOOL' },
    { enumName: 'DrataConnectionState', value: 'PAUSED' },
    { enumName: 'DrataProviderType', value: 'QUANTUM_SECURITY' },
  ]);
});
