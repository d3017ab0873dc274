import type { ConnectionPageResolvers } from '../__generated__/resolvers.js';
import type { ConnectionPageDto } from '../upstream/types.js';

/** How many pages `total` fills at this page's `limit`. */
const pageCount = (page: ConnectionPageDto): number => Math.ceil(page.total / page.limit);

/** `ConnectionPage`: Drata's page with the derived paging fields. */
export const ConnectionPage: ConnectionPageResolvers = {
  nodes: (page) => page.data,
  totalPages: pageCount,
  hasNextPage: (page) => page.page < pageCount(page),
  hasPreviousPage: (page) => page.page > 1,
};
