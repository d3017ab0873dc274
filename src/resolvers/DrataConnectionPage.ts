import type { DrataConnectionPageResolvers } from '../__generated__/resolvers.js';
import type { ConnectionPageDto } from '../upstream/types.js';

/** How many pages `total` fills at this page's `limit`. */
const pageCount = (page: ConnectionPageDto): number => Math.ceil(page.total / page.limit);

/** `DrataConnectionPage`: Drata's page with the derived paging fields. */
export const DrataConnectionPage: DrataConnectionPageResolvers = {
  nodes: (page) => page.data,
  totalPages: pageCount,
  hasNextPage: (page) => page.page < pageCount(page),
  hasPreviousPage: (page) => page.page > 1,
};
