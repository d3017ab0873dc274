/**
 * The operations the example client sends, written with the client preset's `graphql()`: each is a
 * `TypedDocumentNode` whose result and variables types come from the schema.
 */
import { graphql } from './gql/index.js';

/** A page of misconfigured connections, the most recently connected first, with their provider types. */
export const MisconfiguredConnections = graphql(`
  query MisconfiguredConnections($limit: Int!) {
    connections(
      filter: { state: MISCONFIGURED }
      sort: { field: CONNECTED_AT, direction: DESC }
      page: { limit: $limit }
    ) {
      total
      hasNextPage
      nodes {
        id
        clientType
        clientAlias
        failedAt
        code
        providerTypes {
          value
          isEnabled
        }
      }
    }
  }
`);

/** How many connections serve any of the given provider types: the total only, no nodes. */
export const ConnectionCount = graphql(`
  query ConnectionCount($filter: DrataConnectionFilter) {
    connections(filter: $filter, page: { limit: 1 }) {
      total
    }
  }
`);
