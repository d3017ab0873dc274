import type { ConnectionPageResolvers } from '../__generated__/resolvers.js';

/** `ConnectionPage`: Drata's page with the derived paging fields. */
export const ConnectionPage: ConnectionPageResolvers = {
  nodes: (page) => page.data,
  totalPages: (page) => Math.ceil(page.total / page.limit),
  hasNextPage: (page) => page.page < Math.ceil(page.total / page.limit),
  hasPreviousPage: (page) => page.page > 1,
};
