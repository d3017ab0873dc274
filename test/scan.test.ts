import { afterEach, expect, it } from 'vitest';
import {
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';

/** A Drata that holds 100 connections (ids 1 to 100) and never answers more than 20 a page. */
const cappedDrata = (): Promise<TestUpstream> =>
  startUpstream((request, response) => {
    const url = new URL(request.url ?? '', 'http://drata');
    const page = Number(url.searchParams.get('page'));
    const ids = Array.from({ length: 20 }, (_, index) => (page - 1) * 20 + index + 1).filter(
      (id) => id <= 100,
    );
    sendJson(
      response,
      200,
      drataPage(
        ids.map((id) => drataItem({ id })),
        page,
        20,
        100,
      ),
    );
  });

const lookup =
  'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on DrataConnection { id } } }';
const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'DrataConnection', id }));
const auth = { authorization: 'Bearer scan', 'x-request-id': 'req-1' };

let upstream: TestUpstream | undefined;
let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await upstream?.close();
  gateway = undefined;
  upstream = undefined;
});

it('a lookup pages by the limit Drata answered with, not the one it asked for', async () => {
  upstream = await cappedDrata();
  gateway = await startGateway({ baseUrl: upstream.baseUrl, listReader: { maxPages: 40, parallelism: 4 } });
  const answer = await graphql(gateway.url, lookup, {
    headers: auth,
    variables: { representations: representations(['90', '100', '101']) },
  });
  // 101 is not among the 100: the whole list, five pages of 20, was read without it.
  expect(answer.body).toEqual({ data: { _entities: [{ id: '90' }, { id: '100' }, null] } });
  expect(upstream.requests.map((request) => request.url)).toEqual(
    [1, 2, 3, 4, 5].map((page) => `/public/connections?page=${page}&limit=50`),
  );
});

it('the page cap counts pages as Drata cut them', async () => {
  upstream = await cappedDrata();
  gateway = await startGateway({ baseUrl: upstream.baseUrl, listReader: { maxPages: 3, parallelism: 2 } });
  const answer = await graphql(gateway.url, lookup, {
    headers: auth,
    variables: { representations: representations(['45', '90']) },
  });
  expect(answer.body).toEqual({
    data: { _entities: [{ id: '45' }, null] },
    errors: [
      {
        message: 'DrataConnection "90" is not among the first 60 connections, as far as a lookup reads.',
        locations: [{ line: 1, column: 38 }],
        path: ['_entities', 1],
        extensions: { code: 'SCAN_LIMIT_REACHED', requestId: 'req-1' },
      },
    ],
  });
  expect(upstream.requests.map((request) => request.url)).toEqual(
    [1, 2, 3].map((page) => `/public/connections?page=${page}&limit=50`),
  );
});

it('a cap of exactly the pages Drata has reads the whole list: a missing id is null, not the cap', async () => {
  upstream = await cappedDrata();
  gateway = await startGateway({ baseUrl: upstream.baseUrl, listReader: { maxPages: 5, parallelism: 4 } });
  const answer = await graphql(gateway.url, lookup, {
    headers: auth,
    variables: { representations: representations(['100', '404']) },
  });
  expect(answer.body).toEqual({ data: { _entities: [{ id: '100' }, null] } });
  expect(upstream.requests).toHaveLength(5);
});

it('a lookup stops reading once every id is found', async () => {
  upstream = await cappedDrata();
  gateway = await startGateway({ baseUrl: upstream.baseUrl, listReader: { maxPages: 40, parallelism: 1 } });
  const answer = await graphql(gateway.url, lookup, {
    headers: auth,
    variables: { representations: representations(['30', '5']) },
  });
  expect(answer.body).toEqual({ data: { _entities: [{ id: '30' }, { id: '5' }] } });
  // 5 is on page 1 and 30 on page 2 (of 20): pages 3 to 5 are never asked for.
  expect(upstream.requests.map((request) => request.url)).toEqual(
    [1, 2].map((page) => `/public/connections?page=${page}&limit=50`),
  );
});
