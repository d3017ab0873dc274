import type { components, operations } from '../__generated__/drata-api.js';

type Schemas = components['schemas'];

/** One page of Drata's `GET /connections` answer, as the gateway has checked it. */
export type ConnectionPageDto = Schemas['ConnectionsCompactResponsePublicDto'];

/** One connection as Drata sends it (open enums, `id` a number or a string). */
export type ConnectionDto = Schemas['ConnectionCompactResponsePublicDto'];

/** One provider type of a connection as Drata sends it. */
export type ConnectionProviderTypeDto = Schemas['ConnectionProviderTypeResponsePublicDto'];

/** Drata's error body. Every field may be missing. */
export type ExceptionDto = Schemas['ExceptionResponseDto'];

/** The query parameters of `GET /connections`. */
export type ListConnectionsParams = NonNullable<
  operations['ConnectionsPublicController_getConnections']['parameters']['query']
>;
