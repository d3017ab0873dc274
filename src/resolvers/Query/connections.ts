import type {
  DrataConnectionFilter,
  QueryConnectionsArgs,
  QueryResolvers,
} from '../../__generated__/resolvers.js';
import { badUserInput } from '../../errors.js';
import type { ListFilter } from '../../upstream/list-reader.js';
import { connectionsQuery, type ConnectionsRequest } from '../../upstream/query.js';

const maxLimit = 50;

/**
 * The upstream request for the field's arguments. Throws `BAD_USER_INPUT`, naming the argument and
 * its bounds, for a page or limit out of range and for a filter on `UNKNOWN`.
 */
export function toConnectionsRequest(args: QueryConnectionsArgs, requestId: string): ConnectionsRequest {
  const page = args.page?.page ?? 1;
  const limit = args.page?.limit ?? 20;
  if (page < 1) throw badUserInput(`page.page must be 1 or more (got ${page}).`, requestId);
  if (limit < 1 || limit > maxLimit) {
    throw badUserInput(`page.limit must be from 1 to ${maxLimit} (got ${limit}).`, requestId);
  }
  return {
    page,
    limit,
    ...(args.sort ? { sort: args.sort.field, sortDir: args.sort.direction } : {}),
    ...toListFilter(args.filter, requestId),
  };
}

/**
 * The upstream filter of a `DrataConnectionFilter`, empty when absent. Throws `BAD_USER_INPUT` for a
 * filter on `UNKNOWN`.
 */
export function toListFilter(
  filter: DrataConnectionFilter | null | undefined,
  requestId: string,
): ListFilter {
  const providerTypes = filter?.providerTypes ?? [];
  if (providerTypes.includes('UNKNOWN')) {
    throw badUserInput(
      'filter.providerTypes cannot contain UNKNOWN: name the provider types to keep.',
      requestId,
    );
  }
  const state = filter?.state ?? undefined;
  if (state === 'UNKNOWN') {
    throw badUserInput('filter.state cannot be UNKNOWN: name the state to keep.', requestId);
  }
  return {
    ...(providerTypes.length > 0 ? { providerTypes } : {}),
    ...(state !== undefined ? { state } : {}),
  };
}

/** `Query.connections`: one page from Drata's `GET /connections`, through the request's loader. */
export const connections: NonNullable<QueryResolvers['connections']> = async (_parent, args, context) => {
  const session = context.drata();
  const request = toConnectionsRequest(args, context.requestId);
  return session.connectionsPage.load(connectionsQuery(request));
};
