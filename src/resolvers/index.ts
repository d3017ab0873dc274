import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers.js';
import { DrataConnection, resolveConnectionReference } from './DrataConnection.js';
import { DrataConnectionPage } from './DrataConnectionPage.js';
import { DrataConnectionProviderType } from './DrataConnectionProviderType.js';
import { connections } from './Query/connections.js';

/** The entity resolvers, which `buildSubgraphSchema` attaches for `_entities`. */
export const entityResolvers = {
  DrataConnection: { __resolveReference: resolveConnectionReference },
} satisfies Resolvers;

/** Every field and scalar resolver of the schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query: { connections },
  DrataConnectionPage,
  DrataConnection,
  DrataConnectionProviderType,
};
