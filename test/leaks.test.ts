import type { IncomingMessage, ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Agent } from 'undici';
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

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const page = drataPage(Array.from({ length: 20 }, (_, id) => drataItem({ id })));
const faults: ((request: IncomingMessage, response: ServerResponse) => void)[] = [
  (_request, response) => sendJson(response, 200, page),
  (_request, response) => sendJson(response, 200, page),
  (_request, response) => sendJson(response, 200, page),
  (_request, response) => sendJson(response, 503, { message: 'down' }),
  (_request, response) => sendJson(response, 400, { message: 'bad' }),
  (request) => request.socket.destroy(),
  (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '999' });
    response.write('{"data":[', () => request.socket.destroy());
  },
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<html>');
  },
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"data":[{"id":');
  },
];

let upstream: TestUpstream;
let gateway: RunningGateway;
let served = 0;

beforeAll(async () => {
  upstream = await startUpstream(
    (request, response) => {
      served += 1;
      // One request in 200 stalls until the attempt timeout.
      if (served % 200 === 0) return;
      faults[served % faults.length]!(request, response);
    },
    { record: false },
  );
  gateway = await startGateway({
    baseUrl: upstream.baseUrl,
    quiet: true,
    resilience: {
      timeoutMs: 1000,
      attemptTimeoutMs: 100,
      backoffBaseMs: 1,
      backoffCapMs: 5,
      breakerThreshold: 1e6,
      retryBudgetMinPerSecond: 1000,
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

/** Resolves once `check` holds, checking every 10 ms, or after `deadlineMs` (the caller asserts). */
async function eventually(check: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function run(requests: number): Promise<void> {
  for (let done = 0; done < requests; done += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        graphql(
          gateway.url,
          `{ connections(page: { page: ${1 + ((done + index) % 7)} }) { total nodes { id state } } }`,
          {
            // A token per request, so that no two calls coalesce: every request reaches the pool.
            headers: { authorization: `Bearer leak-check-${index}` },
          },
        ).then((answer) => {
          const connections = answer.body.data?.['connections'];
          if (connections === null) expect(answer.body.errors?.[0]?.extensions.code).toMatch(/^[A-Z_]+$/);
          else expect(connections).toMatchObject({ total: 20 });
        }),
      ),
    );
  }
}

it('10,000 mixed good and faulty requests leave the pool and the heap where they started', async () => {
  await run(1000);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const socketsBefore = await upstream.connections();

  await run(10_000);
  gc();
  const heapAfter = process.memoryUsage().heapUsed;

  const { dispatcher } = gateway.gateway.upstream;
  expect(dispatcher).toBeInstanceOf(Agent);
  const busy = (): number =>
    (dispatcher instanceof Agent ? Object.values(dispatcher.stats) : []).reduce(
      (sum, origin) => sum + origin.running + ('queued' in origin ? origin.queued : 0),
      0,
    );
  // An attempt aborted at its timeout leaves undici's books a moment after the answer: allow it 2 s.
  await eventually(() => busy() === 0, 2000);
  expect(busy()).toBe(0);
  expect(await upstream.connections()).toBeLessThanOrEqual(Math.max(socketsBefore, 16));
  expect(heapAfter).toBeLessThan(heapBefore * 1.1);
  expect(gateway.gateway.upstream.stats.attempts).toBeGreaterThan(11_000);
}, 120_000);
