import type { ConnectionResolvers } from '../__generated__/resolvers.js';
import { toSchemaEnum } from './enums.js';

/**
 * `Connection.__resolveReference`: a connection another subgraph references by `id`, through the
 * request's batching loader (null when it does not exist). Async, so that a failure (such as no
 * token) fails this one reference, not the whole `_entities` list.
 */
export const resolveConnectionReference: NonNullable<ConnectionResolvers['__resolveReference']> = async (
  reference,
  context,
) => context.drata().connectionById.load(reference.id);

/** `Connection`: Drata's item, read tolerantly. Fields not listed here pass through as Drata sent them. */
export const Connection: ConnectionResolvers = {
  id: (connection) => String(connection.id),
  clientType: (connection, _args, context) =>
    toSchemaEnum('ClientType', connection.clientType, context.reportUnknownValue),
  clientTypeRaw: (connection) => connection.clientType,
  state: (connection, _args, context) =>
    toSchemaEnum('ConnectionState', connection.state, context.reportUnknownValue),
  stateRaw: (connection) => connection.state,
  providerTypes: (connection) => connection.providerTypes ?? [],
  groupLabel: (connection) => connection.groupLabel ?? null,
};
