import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers.js';
import { DrataConnection, resolveConnectionReference } from './DrataConnection.js';
import { DrataConnectionPage } from './DrataConnectionPage.js';
import { DrataConnectionProviderType } from './DrataConnectionProviderType.js';
import { connectionSummary } from './Query/connectionSummary.js';
import { connections } from './Query/connections.js';

/** The entity resolvers, which `buildSubgraphSchema` attaches for `_entities`. */
export const entityResolvers = {
  DrataConnection: { __resolveReference: resolveConnectionReference },
} satisfies Resolvers;

/** An instant already in the form the gateway serves: UTC, with milliseconds (`2025-07-01T16:45:55.246Z`). */
const canonicalInstant =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

const dateTime = DateTimeResolver.toConfig();

/**
 * graphql-scalars' `DateTime`, pointing at its specification as the SDL's `@specifiedBy` does. A
 * string Drata sent already in the served form is served as it is (Drata's answers are checked as
 * RFC 3339 date-times on arrival); anything else goes through graphql-scalars.
 */
const DateTime = new GraphQLScalarType({
  ...dateTime,
  specifiedByURL: 'https://scalars.graphql.org/andimarek/date-time',
  serialize: (value) =>
    typeof value === 'string' && canonicalInstant.test(value) ? value : dateTime.serialize(value),
});

/** Every field and scalar resolver of the schema. */
export const resolvers: Resolvers = {
  DateTime,
  Query: { connections, connectionSummary },
  DrataConnectionPage,
  DrataConnection,
  DrataConnectionProviderType,
};
