import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { expect, it } from 'vitest';
import { useSandboxGateway } from './helpers.js';

const running = useSandboxGateway();

const document = gql`
  query Misconfigured($page: Int!) {
    connections(
      filter: { state: MISCONFIGURED }
      sort: { field: CONNECTED_AT, direction: DESC }
      page: { page: $page, limit: 3 }
    ) {
      total
      hasNextPage
      nodes {
        id
        state
        code
      }
    }
  }
`;

interface Answer {
  connections: {
    total: number;
    hasNextPage: boolean;
    nodes: { id: string; state: string; code: number | null }[];
  };
}

it('a GraphQL client library reads connections through the gateway', async () => {
  const client = new GraphQLClient(running.gateway.url, {
    headers: { authorization: 'Bearer sandbox-token' },
  });
  const answer = await client.request<Answer>(document, { page: 1 });
  expect(answer.connections.total).toBe(40);
  expect(answer.connections.hasNextPage).toBe(true);
  expect(answer.connections.nodes).toHaveLength(3);
  for (const node of answer.connections.nodes) {
    expect(node).toEqual({
      id: expect.stringMatching(/^\d+$/) as unknown,
      state: 'MISCONFIGURED',
      code: expect.any(Number) as unknown,
    });
  }
});

it('the client library sees the typed error code', async () => {
  const client = new GraphQLClient(running.gateway.url, { headers: { authorization: 'Bearer sandbox-403' } });
  const error = await client.request<Answer>(document, { page: 1 }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ClientError);
  const { response } = error as ClientError;
  expect(response.status).toBe(200);
  expect(response.data).toEqual({ connections: null });
  expect(response.errors?.map((item) => item.extensions['code'])).toEqual(['FORBIDDEN']);
});
