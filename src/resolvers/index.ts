import { DateTimeResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers.js';
import { Connection } from './Connection.js';
import { ConnectionPage } from './ConnectionPage.js';
import { ConnectionProviderType } from './ConnectionProviderType.js';
import { connections } from './Query/connections.js';

/** Every resolver of the schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Query: { connections },
  ConnectionPage,
  Connection,
  ConnectionProviderType,
};
