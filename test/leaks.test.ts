import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
  until,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const page = drataPage(Array.from({ length: 20 }, (_, id) => drataItem({ id })));
/** Larger than what undici buffers for a body nobody reads: left alone, it holds its socket. */
const large = Buffer.alloc(128 * 1024, 0x20);
const elsewhere = { location: 'http://127.0.0.1:1/public/connections' };
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
  // Redirects are never followed, and their bodies are never read.
  (_request, response) => {
    response.writeHead(301, { ...elsewhere, 'content-length': String(large.length) });
    response.end(large);
  },
  (_request, response) => {
    response.writeHead(307, elsewhere);
    response.write(large.subarray(0, large.length / 2));
    response.end(large.subarray(large.length / 2));
  },
  // Declares more than the 5 MiB cap and starts sending it: the gateway reads none of it.
  (_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(6 * 1024 * 1024),
    });
    response.write(large);
  },
  // An error body past the 64 KiB the gateway reads of one.
  (_request, response) => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.write(large);
    response.end(large);
  },
];

let upstream: TestUpstream;
let gateway: RunningGateway;
let served = 0;
/** The upstream's open sockets. */
const sockets = new Set<Socket>();
/** Callers who leave once the upstream has their request, by their `Authorization`. */
const leaving = new Map<string, () => void>();

beforeAll(async () => {
  upstream = await startUpstream(
    (request, response) => {
      const leave = leaving.get(request.headers.authorization ?? '');
      // The caller leaves while the upstream holds its request.
      if (leave) {
        leave();
        return;
      }
      served += 1;
      // One request in 200 stalls until the attempt timeout.
      if (served % 200 === 0) return;
      faults[served % faults.length]!(request, response);
    },
    { record: false },
  );
  upstream.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
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
  await upstream.close();
  await gateway.close();
});

const served20 = {
  total: 20,
  nodes: Array.from({ length: 20 }, (_, id) => ({ id: String(id), state: 'ACTIVE' })),
};
const codes = /^(UPSTREAM_ERROR|UPSTREAM_UNAVAILABLE|UPSTREAM_BAD_RESPONSE|UPSTREAM_TIMEOUT|BAD_USER_INPUT)$/;

const queryFor = (n: number): string =>
  `{ connections(page: { page: ${1 + (n % 7)} }) { total nodes { id state } } }`;

/** A caller who stays: Drata's page, or one typed error. */
async function stay(n: number, index: number): Promise<void> {
  const answer = await graphql(gateway.url, queryFor(n), {
    // A token per request, so that no two calls coalesce: every request reaches the pool.
    headers: { authorization: `Bearer leak-check-${index}` },
  });
  const connections = answer.body.data?.['connections'];
  if (connections === null) {
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors?.[0]?.extensions.code).toMatch(codes);
  } else expect(connections).toEqual(served20);
}

/** A caller who disconnects once the upstream has its request. */
async function leave(n: number, index: number): Promise<void> {
  const authorization = `Bearer leak-leave-${index}`;
  const controller = new AbortController();
  leaving.set(authorization, () => controller.abort());
  try {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ query: queryFor(n) }),
      signal: controller.signal,
    });
    // Before the upstream has the request, the call may still time out in a loaded queue.
    const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
    expect(body.errors?.[0]?.extensions.code).toBe('UPSTREAM_TIMEOUT');
  } catch (error) {
    expect(error).toMatchObject({ name: 'AbortError' });
  } finally {
    leaving.delete(authorization);
  }
}

async function run(requests: number): Promise<void> {
  for (let done = 0; done < requests; done += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        // One caller in 25 goes away mid-request.
        index % 25 === 0 ? leave(done + index, index) : stay(done + index, index),
      ),
    );
  }
}

/**
 * Waits, briefly, until every socket left is an idle one of the pool and the upstream holds no other
 * (an attempt aborted at its timeout leaves undici's books, and its socket closes, a moment after the
 * answer); then nothing is in flight or queued.
 */
async function expectPoolAtRest(): Promise<void> {
  const { dispatcher, stats } = gateway.gateway.upstream;
  if (!(dispatcher instanceof Agent)) throw new Error('the gateway owns an undici Agent');
  const origins = () => Object.values(dispatcher.stats);
  const connected = (): number => origins().reduce((sum, origin) => sum + Number(origin.connected), 0);
  const idle = (): boolean =>
    origins().every(
      (origin) =>
        origin.pending === 0 &&
        origin.running === 0 &&
        'queued' in origin &&
        origin.queued === 0 &&
        origin.free === origin.connected,
    );
  await until(() => idle() && sockets.size === connected(), 'every socket is idle in the pool', 2000);
  expect(await upstream.connections()).toBe(connected());
  expect({ inFlight: stats.inFlight, queued: stats.queued }).toEqual({ inFlight: 0, queued: 0 });
}

it('6,000 mixed good and faulty requests, callers leaving mid-request, leave the pool and the heap where they started', async () => {
  await run(1000);
  await expectPoolAtRest();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  await run(6000);
  gc();
  const heapAfter = process.memoryUsage().heapUsed;

  await expectPoolAtRest();
  expect(heapAfter).toBeLessThan(heapBefore * 1.1);
  expect(gateway.gateway.upstream.stats.attempts).toBeGreaterThan(6000);
}, 60_000);
