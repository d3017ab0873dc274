import { createServer } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  close,
  graphql,
  listen,
  startGateway,
  type RunningGateway,
  type TestUpstream,
  startRecordedSandbox,
  type RecordedSandbox,
} from './helpers.js';

/**
 * A test-only company subgraph: it owns `DrataConnection.owner` and refers to connections by id, and
 * it has its own types under the names many supergraphs use (a Relay `Connection`, `SortDirection`,
 * `PageInput`, `ErrorCode`, `ProviderType`), which the Drata subgraph must compose beside.
 */
const ownershipSdl = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type DrataConnection @key(fields: "id") {
    id: ID!
    owner: Owner!
  }

  type Owner {
    team: String!
  }

  enum SortDirection {
    ASCENDING
    DESCENDING
  }

  input PageInput {
    first: Int!
    after: String
  }

  enum ErrorCode {
    NOT_OWNED
    STALE
  }

  enum ProviderType {
    GITHUB
    GITLAB
  }

  type Team {
    name: String!
    provider: ProviderType!
    lastError: ErrorCode
    drataConnections: [DrataConnection!]!
  }

  type Edge {
    cursor: String!
    node: Team!
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  "A Relay connection of teams."
  type Connection {
    edges: [Edge!]!
    pageInfo: PageInfo!
  }

  type Query {
    "Connections this team owns, by id (one does not exist in Drata)."
    ownedConnections: [DrataConnection]!
    teams(sort: SortDirection = ASCENDING, page: PageInput): Connection!
  }
`;

const teams = [
  { name: 'identity', provider: 'GITHUB', lastError: null, drataConnections: [{ id: '1' }, { id: '5' }] },
  { name: 'platform', provider: 'GITLAB', lastError: 'STALE', drataConnections: [{ id: '3' }] },
  { name: 'security', provider: 'GITHUB', lastError: 'NOT_OWNED', drataConnections: [] },
];

const ownedIds = ['3', '1', '42', '7', '999999', '150', '12'];

/** The sandbox behind a recording upstream: what the gateway sends to "Drata". */
let recorded: RecordedSandbox;
let drata: TestUpstream;
let subgraph: RunningGateway;
let ownershipUrl: string;
let ownershipServer: ReturnType<typeof createServer>;
let routerUrl: string;
let routerServer: ReturnType<typeof createServer>;
let router: ReturnType<typeof createGatewayRuntime>;

async function serviceSdl(url: string): Promise<string> {
  const answer = await graphql(url, '{ _service { sdl } }');
  return (answer.body.data?.['_service'] as { sdl: string }).sdl;
}

beforeAll(async () => {
  recorded = await startRecordedSandbox();
  drata = recorded.drata;
  subgraph = await startGateway({ baseUrl: new URL('/public', drata.baseUrl) });

  const ownership = createYoga({
    schema: buildSubgraphSchema({
      typeDefs: parse(ownershipSdl),
      resolvers: {
        Query: {
          ownedConnections: () => ownedIds.map((id) => ({ id })),
          teams: (_source: unknown, args: { sort: 'ASCENDING' | 'DESCENDING'; page?: { first: number } }) => {
            const sorted = args.sort === 'ASCENDING' ? teams : [...teams].reverse();
            const page = sorted.slice(0, args.page?.first ?? sorted.length);
            return {
              edges: page.map((team) => ({ cursor: team.name, node: team })),
              pageInfo: { hasNextPage: page.length < sorted.length, endCursor: page.at(-1)?.name ?? null },
            };
          },
        },
        DrataConnection: {
          __resolveReference: (reference: { id: string }) => reference,
          owner: (connection: { id: string }) => ({ team: `team-${Number(connection.id) % 3}` }),
        },
      },
    }),
    graphqlEndpoint: '/graphql',
    logging: false,
  });
  ownershipServer = createServer(ownership.requestListener);
  ownershipUrl = `http://127.0.0.1:${await listen(ownershipServer)}/graphql`;

  const composed = composeServices([
    { name: 'drata', typeDefs: parse(await serviceSdl(subgraph.url)), url: subgraph.url },
    { name: 'ownership', typeDefs: parse(ownershipSdl), url: ownershipUrl },
  ]);
  if (!('supergraphSdl' in composed) || composed.supergraphSdl === undefined) {
    throw new Error(`composition failed: ${JSON.stringify(composed.errors)}`);
  }
  router = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
  });
  routerServer = createServer(router.requestListener);
  routerUrl = `http://127.0.0.1:${await listen(routerServer)}/graphql`;
});

afterAll(async () => {
  await close(routerServer);
  await router.dispose();
  await close(ownershipServer);
  await subgraph.close();
  await recorded.close();
});

beforeEach(() => {
  drata.requests.length = 0;
});

const auth = { authorization: 'Bearer sandbox-token' };

describe('composition', () => {
  it('the served subgraph SDL composes with another subgraph, without errors', async () => {
    const sdl = await serviceSdl(subgraph.url);
    expect(sdl).toContain('@key(fields: "id")');
    const composed = composeServices([
      { name: 'drata', typeDefs: parse(sdl), url: subgraph.url },
      { name: 'ownership', typeDefs: parse(ownershipSdl), url: ownershipUrl },
    ]);
    expect(composed.errors).toBeUndefined();
    const supergraph = 'supergraphSdl' in composed ? (composed.supergraphSdl ?? '') : '';
    expect(supergraph).toContain('type DrataConnection');
    // Each subgraph keeps its own types: the company's Relay Connection and enums beside Drata's.
    for (const name of ['Connection', 'SortDirection', 'PageInput', 'ErrorCode', 'ProviderType']) {
      expect(supergraph).toMatch(new RegExp(`^(type|enum|input) ${name}\\b`, 'm'));
      expect(supergraph).toMatch(new RegExp(`^(type|enum|input) Drata${name}\\b`, 'm'));
    }
  });
});

describe('entity references on the subgraph itself', () => {
  const entities = `query ($representations: [_Any!]!) {
    connections(page: { page: 2, limit: 50 }) { total }
    _entities(representations: $representations) { ... on DrataConnection { id state } }
  }`;
  const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'DrataConnection', id }));

  it('one operation fetches each page once, whether the connections field or the scan asks for it', async () => {
    const answer = await graphql(subgraph.url, entities, {
      headers: auth,
      variables: { representations: representations(['60', '1', '999999', '60']) },
    });
    expect(answer.body).toEqual({
      data: {
        connections: { total: 160 },
        _entities: [
          { id: '60', state: 'IN_PROGRESS' },
          { id: '1', state: 'ACTIVE' },
          null,
          { id: '60', state: 'IN_PROGRESS' },
        ],
      },
    });
    expect(drata.requests.map((request) => request.url).sort()).toEqual([
      '/public/connections?page=1&limit=50',
      '/public/connections?page=2&limit=50',
      '/public/connections?page=3&limit=50',
      '/public/connections?page=4&limit=50',
    ]);
  });

  it('ids past the scan cap get SCAN_LIMIT_REACHED; ids found before it resolve', async () => {
    await using capped = await startGateway({
      baseUrl: new URL('/public', drata.baseUrl),
      listReader: { maxPages: 2, parallelism: 1 },
    });
    const answer = await graphql(
      capped.url,
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on DrataConnection { id } } }',
      {
        headers: { ...auth, 'x-request-id': 'req-1' },
        variables: { representations: representations(['10', '150', '99']) },
      },
    );
    const error = (index: number, id: string) => ({
      message: `DrataConnection "${id}" is not among the first 100 connections, as far as a lookup reads.`,
      locations: [{ line: 1, column: 38 }],
      path: ['_entities', index],
      extensions: { code: 'SCAN_LIMIT_REACHED', requestId: 'req-1' },
    });
    expect(answer.body).toEqual({
      data: { _entities: [{ id: '10' }, null, { id: '99' }] },
      errors: [error(1, '150')],
    });
    expect(drata.requests.map((request) => request.url)).toEqual([
      '/public/connections?page=1&limit=50',
      '/public/connections?page=2&limit=50',
    ]);
  });

  it('without a token every reference is UNAUTHENTICATED and nothing is called', async () => {
    const answer = await graphql(subgraph.url, entities, {
      variables: { representations: representations(['1']) },
    });
    expect(answer.body.data).toEqual({ connections: null, _entities: [null] });
    expect(
      answer.body.errors?.map((error) => [
        error.extensions.code,
        (error as unknown as { path: unknown[] }).path,
      ]),
    ).toEqual([
      ['UNAUTHENTICATED', ['connections']],
      ['UNAUTHENTICATED', ['_entities', 0]],
    ]);
    expect(drata.requests).toEqual([]);
  });
});

describe('through a federation gateway (Hive Gateway)', () => {
  it("crosses both subgraphs, beside the other subgraph's own Connection, SortDirection, PageInput, ErrorCode and ProviderType", async () => {
    const answer = await graphql(
      routerUrl,
      `
        {
          teams(sort: DESCENDING, page: { first: 2 }) {
            pageInfo {
              hasNextPage
              endCursor
            }
            edges {
              cursor
              node {
                name
                provider
                lastError
                drataConnections {
                  id
                  clientType
                  state
                  owner {
                    team
                  }
                }
              }
            }
          }
        }
      `,
      { headers: auth },
    );
    const direct = await graphql(
      subgraph.url,
      '{ connections(page: { limit: 5 }) { nodes { id clientType state } } }',
      {
        headers: auth,
      },
    );
    const byId = new Map(
      (direct.body.data?.['connections'] as { nodes: { id: string }[] }).nodes.map((node) => [node.id, node]),
    );
    const connection = (id: string) => ({ ...byId.get(id), owner: { team: `team-${Number(id) % 3}` } });
    expect(answer.body).toEqual({
      data: {
        teams: {
          pageInfo: { hasNextPage: true, endCursor: 'platform' },
          edges: [
            {
              cursor: 'security',
              node: { name: 'security', provider: 'GITHUB', lastError: 'NOT_OWNED', drataConnections: [] },
            },
            {
              cursor: 'platform',
              node: {
                name: 'platform',
                provider: 'GITLAB',
                lastError: 'STALE',
                drataConnections: [connection('3')],
              },
            },
          ],
        },
      },
    });
    expect(byId.get('3')).toMatchObject({ id: '3' });
  });

  it('resolves connections referenced from another subgraph, null for an id that does not exist, in one list scan', async () => {
    const answer = await graphql(routerUrl, '{ ownedConnections { id clientType state owner { team } } }', {
      headers: auth,
    });
    const direct = await graphql(
      subgraph.url,
      `
        {
          connections(page: { limit: 50 }) {
            nodes {
              id
              clientType
              state
            }
          }
          p3: connections(page: { page: 3, limit: 50 }) {
            nodes {
              id
              clientType
              state
            }
          }
        }
      `,
      { headers: auth },
    );
    const byId = new Map(
      [
        ...(direct.body.data?.['connections'] as { nodes: { id: string }[] }).nodes,
        ...(direct.body.data?.['p3'] as { nodes: { id: string }[] }).nodes,
      ].map((node) => [node.id, node]),
    );
    drata.requests.length = 0;
    const again = await graphql(routerUrl, '{ ownedConnections { id clientType state owner { team } } }', {
      headers: auth,
    });
    expect(answer.body).toEqual(again.body);
    const missing = ownedIds.indexOf('999999');
    expect(again.body).toEqual({
      data: {
        ownedConnections: ownedIds.map((id) =>
          id === '999999' ? null : { ...byId.get(id), owner: { team: `team-${Number(id) % 3}` } },
        ),
      },
      // The subgraph resolves the missing reference to null; the router then reports the null it
      // found for a non-null field of that item, and nulls the item.
      errors: [
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 25 }],
          path: ['ownedConnections', missing, 'clientType'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ],
    });
    // Seven references, one of them missing: one scan of the whole list (160 connections, 4 pages of 50).
    expect(drata.requests.map((request) => request.url).sort()).toEqual([
      '/public/connections?page=1&limit=50',
      '/public/connections?page=2&limit=50',
      '/public/connections?page=3&limit=50',
      '/public/connections?page=4&limit=50',
    ]);
  });

  it('a scan stops at the first page once every id is found', async () => {
    const answer = await graphql(
      routerUrl,
      '{ connections(page: { limit: 5 }) { total nodes { id clientType owner { team } } } }',
      { headers: auth },
    );
    const nodes = (answer.body.data?.['connections'] as { nodes: { id: string; owner: { team: string } }[] })
      .nodes;
    expect(nodes.map((node) => node.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(nodes.map((node) => node.owner.team)).toEqual(['team-1', 'team-2', 'team-0', 'team-1', 'team-2']);
    expect(drata.requests.map((request) => request.url)).toEqual(['/public/connections?page=1&limit=5']);
  });

  it("a connections page is extended with the other subgraph's field", async () => {
    const answer = await graphql(
      routerUrl,
      '{ connections(filter: { state: ACTIVE }, page: { limit: 3 }) { total nodes { id state owner { team } } } }',
      { headers: auth },
    );
    expect(answer.body).toEqual({
      data: {
        connections: {
          total: 40,
          nodes: [
            { id: '1', state: 'ACTIVE', owner: { team: 'team-1' } },
            { id: '5', state: 'ACTIVE', owner: { team: 'team-2' } },
            { id: '9', state: 'ACTIVE', owner: { team: 'team-0' } },
          ],
        },
      },
    });
  });

  it("the caller's token reaches Drata through the federation gateway, byte for byte", async () => {
    await graphql(routerUrl, '{ connections(page: { limit: 1 }) { total } }', { headers: auth });
    expect(drata.requests.map((request) => request.headers['authorization'])).toEqual([
      'Bearer sandbox-token',
    ]);
  });

  it('no token is UNAUTHENTICATED, for the root field and for entity references, with no call to Drata', async () => {
    const root = await graphql(routerUrl, '{ connections { total } }');
    expect(root.body.data).toEqual({ connections: null });
    expect(root.body.errors?.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    const entities = await graphql(routerUrl, '{ ownedConnections { id clientType } }');
    expect(entities.body.data).toEqual({ ownedConnections: ownedIds.map(() => null) });
    expect(new Set(entities.body.errors?.map((error) => error.extensions.code))).toEqual(
      new Set(['UNAUTHENTICATED']),
    );
    expect(drata.requests).toEqual([]);
  });

  it('a Drata error reaches the client through the gateway with its code', async () => {
    const answer = await graphql(routerUrl, '{ connections { total } }', {
      headers: { authorization: 'Bearer sandbox-403' },
    });
    expect(answer.body.data).toEqual({ connections: null });
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors?.[0]).toMatchObject({
      message:
        'The API key is not allowed to list connections (HTTP 403): You are not allowed to perform this action',
      path: ['connections'],
      extensions: { code: 'FORBIDDEN', upstreamStatus: 403, upstreamCode: 40300 },
    });
  });
});
