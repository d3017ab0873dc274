import type { ListConnectionsParams } from './types.js';

/** One `GET /connections` request, after the gateway has validated the GraphQL arguments. */
export interface ConnectionsRequest {
  readonly page: number;
  readonly limit: number;
  readonly sort?: NonNullable<ListConnectionsParams['sort']>;
  readonly sortDir?: NonNullable<ListConnectionsParams['sortDir']>;
  readonly providerTypes?: readonly string[];
  readonly state?: NonNullable<ListConnectionsParams['state']>;
}

/**
 * The query string of a `GET /connections` request in one normal form, so that equal requests give
 * equal strings (it keys the per-request DataLoader): parameters in a fixed order, `page` and `limit`
 * always, `providerTypes` as repeated keys, de-duplicated and sorted, the rest only when given.
 */
export function connectionsQuery(request: ConnectionsRequest): string {
  const params = new URLSearchParams();
  params.append('page', String(request.page));
  params.append('limit', String(request.limit));
  if (request.sort !== undefined) params.append('sort', request.sort);
  if (request.sortDir !== undefined) params.append('sortDir', request.sortDir);
  for (const type of [...new Set(request.providerTypes ?? [])].sort()) {
    params.append('providerTypes', type);
  }
  if (request.state !== undefined) params.append('state', request.state);
  return params.toString();
}
