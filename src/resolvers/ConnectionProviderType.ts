import type { ConnectionProviderTypeResolvers } from '../__generated__/resolvers.js';
import { toSchemaEnum } from './enums.js';

/** `ConnectionProviderType`: one of Drata's `providerTypes` entries, read tolerantly. */
export const ConnectionProviderType: ConnectionProviderTypeResolvers = {
  value: (entry, _args, context) => toSchemaEnum('ProviderType', entry.value, context.reportUnknownValue),
  valueRaw: (entry) => entry.value,
};
