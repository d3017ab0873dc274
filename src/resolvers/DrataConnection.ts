import type { DrataConnectionResolvers } from '../__generated__/resolvers.js';
import { toSchemaEnum } from './enums.js';

/**
 * `DrataConnection.__resolveReference`: a connection another subgraph references by `id`, through the
 * request's batching loader (null when it does not exist). Async, so that a failure (such as no
 * token) fails this one reference, not the whole `_entities` list.
 */
export const resolveConnectionReference: NonNullable<DrataConnectionResolvers['__resolveReference']> = async (
  reference,
  context,
) => context.drata().connectionById.load(reference.id);

/** `DrataConnection`: Drata's item, read tolerantly. Fields not listed here pass through as Drata sent them. */
export const DrataConnection: DrataConnectionResolvers = {
  id: (connection) => String(connection.id),
  clientType: (connection, _args, context) =>
    toSchemaEnum('DrataClientType', connection.clientType, context.reportUnknownValue),
  clientTypeRaw: (connection) => connection.clientType,
  state: (connection, _args, context) =>
    toSchemaEnum('DrataConnectionState', connection.state, context.reportUnknownValue),
  stateRaw: (connection) => connection.state,
  providerTypes: (connection) => connection.providerTypes ?? [],
  groupLabel: (connection) => connection.groupLabel ?? null,
};
