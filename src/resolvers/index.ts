import { GraphQLScalarType } from 'graphql';
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

/** graphql-scalars' `DateTime`, pointing at its specification as the SDL's `@specifiedBy` does. */
const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
});

/** Every field and scalar resolver of the schema. */
export const resolvers: Resolvers = {
  DateTime,
  Query: { connections },
  DrataConnectionPage,
  DrataConnection,
  DrataConnectionProviderType,
};
