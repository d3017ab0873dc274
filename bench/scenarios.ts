/**
 * The scenarios of `npm run bench`: for each, the GraphQL document each contender is sent and the
 * answer every contender must give.
 *
 * The gateway, Tailcall and the pass-through are sent the same document (Tailcall's configuration
 * serves the gateway's `connections(filter, sort, page)` field and type names). GraphQL Mesh
 * generates its names from Drata's OpenAPI document (`ConnectionsPublicController_getConnections`
 * with flat `page`, `limit`, `sort`, `sortDir`, `state` arguments, a union of the 200 and error
 * bodies, `data` for the list): its document selects the same fields under its own names, with
 * aliases so that the answer has the same shape.
 */
import { isDeepStrictEqual } from 'node:util';
import { answer, fixedConnections } from './upstream.js';

export type ContenderKind = 'gateway' | 'tailcall' | 'mesh' | 'passthrough';

/** Every field of a connection that Drata sends. */
export const connectionFields =
  'id clientType state connected connectedAt failedAt clientId clientAlias aliasUpdatedAt deletedAt code groupLabel providerTypes { value isEnabled }';

/** Drata's list, as the `connections` field of the gateway's schema takes its arguments. */
const ours = (args: string, selection: string): string => `connections${args} { ${selection} }`;
/** The same call under GraphQL Mesh's generated names. */
const mesh = (args: string, selection: string): string =>
  `ConnectionsPublicController_getConnections${args} { ... on ConnectionsCompactResponsePublicDto { ${selection.replace('nodes {', 'nodes: data {')} } }`;

export interface Scenario {
  readonly id: string;
  readonly name: string;
  /** The document per contender; absent where the contender cannot serve the scenario. */
  readonly documents: Partial<Record<ContenderKind, string>>;
  /** The `data` every contender must answer (ids as strings: see `normalize`). */
  readonly expected: unknown;
}

const connections = fixedConnections();
const page = (query: string): ReturnType<typeof answer> => answer(connections, new URLSearchParams(query));

/** A connection as Drata sends it (the fields the benchmark selects). */
export interface DrataItem {
  readonly id: number | string;
  readonly clientType: string;
  readonly state: string;
  readonly connected: boolean;
  readonly connectedAt: string | null;
  readonly failedAt: string | null;
  readonly clientId: string | null;
  readonly clientAlias: string | null;
  readonly aliasUpdatedAt: string | null;
  readonly deletedAt: string | null;
  readonly code: number | null;
  readonly groupLabel?: string | null;
  readonly providerTypes?: readonly { readonly value: string; readonly isEnabled: boolean }[];
}

/** A connection as the selection of `connectionFields` answers it. */
export function node(item: DrataItem): Record<string, unknown> {
  return {
    id: String(item.id),
    clientType: item.clientType,
    state: item.state,
    connected: item.connected,
    connectedAt: item.connectedAt,
    failedAt: item.failedAt,
    clientId: item.clientId,
    clientAlias: item.clientAlias,
    aliasUpdatedAt: item.aliasUpdatedAt,
    deletedAt: item.deletedAt,
    code: item.code,
    groupLabel: item.groupLabel ?? null,
    providerTypes: (item.providerTypes ?? []).map(({ value, isEnabled }) => ({ value, isEnabled })),
  };
}

const full = `total nodes { ${connectionFields} }`;
const first20 = page('page=1&limit=20');
const active50 = page('page=1&limit=50&sort=CONNECTED_AT&sortDir=DESC&state=ACTIVE');
const fullPage = { total: first20.total, nodes: first20.data.map(node) };
const entityIds = [3, 17, 42, 99, 150];
const representations = entityIds.map((id) => `{ __typename: "DrataConnection", id: "${id}" }`).join(', ');
const aliases = ['a', 'b', 'c', 'd'];

export const scenarios: readonly Scenario[] = [
  {
    id: 'page20',
    name: 'a page of 20, every field',
    documents: {
      gateway: `{ ${ours('', full)} }`,
      tailcall: `{ ${ours('', full)} }`,
      passthrough: `{ ${ours('', full)} }`,
      mesh: `{ connections: ${mesh('', full)} }`,
    },
    expected: { connections: fullPage },
  },
  {
    id: 'total',
    name: '`total` only',
    documents: {
      gateway: `{ ${ours('', 'total')} }`,
      tailcall: `{ ${ours('', 'total')} }`,
      passthrough: `{ ${ours('', 'total')} }`,
      mesh: `{ connections: ${mesh('', 'total')} }`,
    },
    expected: { connections: { total: first20.total } },
  },
  {
    id: 'page50',
    name: 'a page of 50, filtered and sorted',
    documents: {
      gateway: `{ ${ours('(filter: { state: ACTIVE }, sort: { field: CONNECTED_AT, direction: DESC }, page: { limit: 50 })', full)} }`,
      tailcall: `{ ${ours('(filter: { state: ACTIVE }, sort: { field: CONNECTED_AT, direction: DESC }, page: { limit: 50 })', full)} }`,
      passthrough: `{ ${ours('(filter: { state: ACTIVE }, sort: { field: CONNECTED_AT, direction: DESC }, page: { limit: 50 })', full)} }`,
      mesh: `{ connections: ${mesh('(state: ACTIVE, sort: CONNECTED_AT, sortDir: DESC, limit: 50)', full)} }`,
    },
    expected: { connections: { total: active50.total, nodes: active50.data.map(node) } },
  },
  {
    id: 'aliases',
    name: 'four aliases of the same page of 20',
    documents: {
      gateway: `{ ${aliases.map((alias) => `${alias}: ${ours('', full)}`).join(' ')} }`,
      tailcall: `{ ${aliases.map((alias) => `${alias}: ${ours('', full)}`).join(' ')} }`,
      passthrough: `{ ${aliases.map((alias) => `${alias}: ${ours('', full)}`).join(' ')} }`,
      mesh: `{ ${aliases.map((alias) => `${alias}: ${mesh('', full)}`).join(' ')} }`,
    },
    expected: Object.fromEntries(aliases.map((alias) => [alias, fullPage])),
  },
  {
    id: 'entities',
    name: 'five entity references (`_entities`)',
    documents: {
      gateway: `{ _entities(representations: [${representations}]) { ... on DrataConnection { ${connectionFields} } } }`,
    },
    expected: {
      _entities: entityIds.map((id) => node(connections.find(({ item }) => Number(item.id) === id)!.item)),
    },
  },
];

/**
 * An answer's `data` in the form `expected` holds: every `id` as a string (Mesh answers Drata's
 * numeric ids as `Float`, Tailcall as numbers, the gateway as `ID` strings).
 */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [
      key,
      key === 'id' && typeof entry === 'number' ? String(entry) : normalize(entry),
    ]),
  );
}

/** Why an answer is not the expected one, or undefined when it is. */
export function wrongAnswer(body: string, expected: unknown): string | undefined {
  let parsed: { data?: unknown; errors?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  if (parsed.errors !== undefined) return `errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`;
  if (!isDeepStrictEqual(normalize(parsed.data), expected)) {
    return `unexpected data: ${JSON.stringify(parsed.data).slice(0, 300)}`;
  }
  return undefined;
}
