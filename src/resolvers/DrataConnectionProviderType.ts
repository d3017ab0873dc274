import type { DrataConnectionProviderTypeResolvers } from '../__generated__/resolvers.js';
import { toSchemaEnum } from './enums.js';

/** `DrataConnectionProviderType`: one of Drata's `providerTypes` entries, read tolerantly. */
export const DrataConnectionProviderType: DrataConnectionProviderTypeResolvers = {
  value: (entry, _args, context) =>
    toSchemaEnum('DrataProviderType', entry.value, context.reportUnknownValue),
  valueRaw: (entry) => entry.value,
};
