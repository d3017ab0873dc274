import type { GraphiQLOptions } from 'graphql-yoga';

/** The document GraphiQL opens on: a filter, a sort and a page, with the fields people look at. */
export const defaultDocument = `# Your Drata connections, one page at a time.
# Next page: while hasNextPage is true, run again
# with page: { page: 2, limit: 10 }, then 3, ...
# Your Drata API key goes in Headers, below.
query Connections {
  connections(
    filter: { state: ACTIVE }
    sort: { field: CONNECTED_AT, direction: DESC }
    page: { page: 1, limit: 10 }
  ) {
    total
    page
    totalPages
    hasNextPage
    nodes {
      id
      clientType
      clientAlias
      state
      connected
      connectedAt
      providerTypes {
        value
        isEnabled
      }
    }
  }
}
`;

/** Where GraphiQL's queries go, which decides what its headers editor holds at first. */
export type GraphiQLTarget = 'sandbox' | 'drata';

/**
 * GraphiQL's options: the default document, and headers that run it as they stand on the sandbox
 * (its demo token) or show where the key goes against Drata. Every asset is served by the gateway
 * itself (`@graphql-yoga/render-graphiql`), so GraphiQL works with no internet.
 */
export function graphiqlOptions(target: GraphiQLTarget): GraphiQLOptions {
  const token = target === 'sandbox' ? 'sandbox-token' : '<your Drata API key>';
  return {
    title: 'Drata GraphQL gateway',
    defaultQuery: defaultDocument,
    headers: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2),
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
  };
}
