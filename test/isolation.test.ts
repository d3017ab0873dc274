import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  aliasOf,
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';

let upstream: TestUpstream;
let gateway: RunningGateway;

// This upstream answers each token with its own data, after a delay that varies, so that answers
// for different callers overlap in time.
beforeAll(async () => {
  let turn = 0;
  upstream = await startUpstream((request, response) => {
    const owner = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    turn += 1;
    setTimeout(() => {
      sendJson(
        response,
        200,
        drataPage([drataItem({ clientAlias: aliasOf(owner), id: owner === 'alice-key' ? 1 : 2 })]),
      );
    }, turn % 7);
  });
  gateway = await startGateway({ baseUrl: upstream.baseUrl });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

it("two tokens interleaved over hundreds of concurrent requests never see each other's data", async () => {
  const owners = Array.from({ length: 300 }, (_, index) => (index % 2 === 0 ? 'alice-key' : 'bob-key'));
  const answers = await Promise.all(
    owners.map((owner, index) =>
      // A page of its own per request, so that no two requests coalesce into one call.
      graphql(
        gateway.url,
        `{ a: connections(page: { page: ${index + 1} }) { nodes { id clientAlias } } b: connections(page: { page: ${index + 1} }) { total } }`,
        {
          headers: { authorization: `Bearer ${owner}`, 'x-request-id': `req-${index}` },
        },
      ),
    ),
  );
  answers.forEach((answer, index) => {
    const owner = owners[index];
    expect(answer.body).toEqual({
      data: {
        a: { nodes: [{ id: owner === 'alice-key' ? '1' : '2', clientAlias: aliasOf(owner!) }] },
        b: { total: 1 },
      },
    });
    expect(answer.headers.get('x-request-id')).toBe(`req-${index}`);
  });
  // One upstream call per GraphQL request: the two equal fields shared it, and no request shared another's.
  expect(upstream.requests).toHaveLength(300);
  const seen = new Map(
    upstream.requests.map((request) => [request.headers['x-request-id'], request.headers['authorization']]),
  );
  expect(seen.size).toBe(300);
  owners.forEach((owner, index) => expect(seen.get(`req-${index}`)).toBe(`Bearer ${owner}`));
});
