import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers.js';
import { Connection, resolveConnectionReference } from './Connection.js';
import { ConnectionPage } from './ConnectionPage.js';
import { ConnectionProviderType } from './ConnectionProviderType.js';
import { connections } from './Query/connections.js';

/** The entity resolvers, which `buildSubgraphSchema` attaches for `_entities`. */
export const entityResolvers = {
  Connection: { __resolveReference: resolveConnectionReference },
} satisfies Resolvers;

/** Every field and scalar resolver of the schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query: { connections },
  ConnectionPage,
  Connection,
  ConnectionProviderType,
};
