import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { createConcurrencyLimiter, type ResilienceOptions } from '../src/upstream/policies.js';
import {
  drataItem,
  drataPage,
  sendJson,
  startGateway,
  startUpstream,
  until,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';

const query = '{ connections { total nodes { id } } }';

let upstream: TestUpstream | undefined;
let gateway: RunningGateway | undefined;
afterEach(async () => {
  // The upstream first: should a socket be wedged, closing it lets the pool close too.
  await upstream?.close();
  await gateway?.close();
  upstream = undefined;
  gateway = undefined;
});

/** What the upstream is told to do with a request, and for which caller: `Bearer {kind}-{n}`. */
type Handler = (kind: string, n: number, request: IncomingMessage, response: ServerResponse) => void;

async function setup(handler: Handler, resilience: Partial<ResilienceOptions>) {
  upstream = await startUpstream((request, response) => {
    const [, kind = '', n = '-1'] = /^Bearer (\w+)-(\d+)$/.exec(request.headers.authorization ?? '') ?? [];
    handler(kind, Number(n), request, response);
  });
  gateway = await startGateway({ baseUrl: upstream.baseUrl, resilience });
  return { upstream, gateway, stats: gateway.gateway.upstream.stats };
}

/** Drata's page for caller `n`: one connection whose id is `n`, so that no answer reaches the wrong caller. */
const answer = (n: number, response: ServerResponse): void =>
  sendJson(response, 200, drataPage([drataItem({ id: n })]));

/** The whole answer caller `n` gets when Drata served it. */
const served = (n: number) => ({ data: { connections: { total: 1, nodes: [{ id: String(n) }] } } });

/** The whole answer caller `n` gets when its call failed. */
const failed = (n: number, message: string, extensions: Record<string, unknown>) => ({
  data: { connections: null },
  errors: [
    {
      message,
      locations: [{ line: 1, column: 3 }],
      path: ['connections'],
      extensions: { ...extensions, requestId: `req-${n}` },
    },
  ],
});

/** Asks the gateway for caller `n`'s connections, with its own token: no two callers coalesce. */
async function ask(url: string, kind: string, n: number, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${kind}-${n}`,
      'x-request-id': `req-${n}`,
    },
    body: JSON.stringify({ query }),
    signal: signal ?? null,
  });
  return (await response.json()) as unknown;
}

/** Holds requests until `size` of them have arrived, then answers them all. */
function barrier(size: number) {
  const waiting: [number, ServerResponse][] = [];
  return {
    get arrived() {
      return waiting.length;
    },
    hold(n: number, response: ServerResponse): void {
      waiting.push([n, response]);
      if (waiting.length === size) for (const [caller, held] of waiting) answer(caller, held);
    },
  };
}

/** Every origin of the gateway's pool: nothing waiting, nothing running, every connected socket free. */
function poolIdle(running: RunningGateway): boolean {
  const { dispatcher } = running.gateway.upstream;
  if (!(dispatcher instanceof Agent)) throw new Error('the gateway owns an undici Agent');
  return Object.values(dispatcher.stats).every(
    (origin) =>
      origin.pending === 0 &&
      origin.running === 0 &&
      'queued' in origin &&
      origin.queued === 0 &&
      origin.free === origin.connected,
  );
}

const kib = (count: number): Buffer => Buffer.alloc(count * 1024, 0x20);

/** Writes `body` in chunks without a `content-length`: the answer is chunked. */
function chunked(response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) {
  response.writeHead(status, headers);
  for (let offset = 0; offset < body.length; offset += 16 * 1024) {
    response.write(body.subarray(offset, offset + 16 * 1024));
  }
  response.end();
}

/** Writes `body` with its `content-length`. */
function whole(response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) {
  response.writeHead(status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

const location = { location: 'http://127.0.0.1:1/elsewhere' };
const json = { 'content-type': 'application/json' };
/** Drata's error body with a message, under the 64 KiB the gateway reads of one. */
const explained = Buffer.from(
  JSON.stringify({
    statusCode: 400,
    message: 'page is out of range',
    code: 7,
    debugInfo: { stack: 'x'.repeat(60 * 1024) },
  }),
);

/** The answers whose bodies the gateway must not read whole, and what each caller hears. */
const bodies: Record<string, [Handler, (n: number) => unknown]> = {
  moved: [
    (_kind, _n, _request, response) => whole(response, 301, location, kib(100)),
    (n) =>
      failed(n, 'Drata answered with an error (HTTP 301).', { code: 'UPSTREAM_ERROR', upstreamStatus: 301 }),
  ],
  found: [
    (_kind, _n, _request, response) => chunked(response, 302, location, kib(100)),
    (n) =>
      failed(n, 'Drata answered with an error (HTTP 302).', { code: 'UPSTREAM_ERROR', upstreamStatus: 302 }),
  ],
  temporary: [
    (_kind, _n, _request, response) => chunked(response, 307, location, kib(100)),
    (n) =>
      failed(n, 'Drata answered with an error (HTTP 307).', { code: 'UPSTREAM_ERROR', upstreamStatus: 307 }),
  ],
  declared: [
    // Declares more than the cap, and starts sending it.
    (_kind, _n, _request, response) => whole(response, 200, json, kib(1024)),
    (n) =>
      failed(n, "Drata's answer could not be read: the answer is too large.", {
        code: 'UPSTREAM_BAD_RESPONSE',
        upstreamStatus: 200,
      }),
  ],
  endless: [
    (_kind, _n, _request, response) => chunked(response, 200, json, kib(256)),
    (n) =>
      failed(n, "Drata's answer could not be read: the answer is too large.", {
        code: 'UPSTREAM_BAD_RESPONSE',
        upstreamStatus: 200,
      }),
  ],
  broken: [
    (_kind, _n, _request, response) => whole(response, 500, json, kib(1024)),
    (n) =>
      failed(n, 'Drata answered with an error (HTTP 500).', { code: 'UPSTREAM_ERROR', upstreamStatus: 500 }),
  ],
  unavailable: [
    (_kind, _n, _request, response) => chunked(response, 503, json, kib(1024)),
    (n) =>
      failed(n, 'Drata answered with an error (HTTP 503).', { code: 'UPSTREAM_ERROR', upstreamStatus: 503 }),
  ],
  rejected: [
    (_kind, _n, _request, response) => chunked(response, 400, json, kib(1024)),
    (n) =>
      failed(n, 'Drata rejected the request (HTTP 400).', { code: 'BAD_USER_INPUT', upstreamStatus: 400 }),
  ],
  explained: [
    (_kind, _n, _request, response) => chunked(response, 400, json, explained),
    (n) =>
      failed(n, 'Drata rejected the request (HTTP 400): page is out of range', {
        code: 'BAD_USER_INPUT',
        upstreamStatus: 400,
        upstreamCode: 7,
      }),
  ],
};
const kinds = Object.keys(bodies);

describe('bodies never wedge the pool', () => {
  it('60 redirects, oversized answers and large error bodies on 2 sockets: each caller hears its error, then the pool serves at full concurrency', async () => {
    const gate = barrier(2);
    const {
      gateway: gw,
      upstream: up,
      stats,
    } = await setup(
      (kind, n, request, response) => {
        if (kind === 'ok') answer(n, response);
        else if (kind === 'barrier') gate.hold(n, response);
        else bodies[kind]![0](kind, n, request, response);
      },
      {
        maxConcurrency: 2,
        maxResponseBytes: 4096,
        // Ends a barrier call whose partner never arrives: a wedged socket fails the barrier, not hangs it.
        attemptTimeoutMs: 2000,
        timeoutMs: 10_000,
        backoffBaseMs: 1,
        backoffCapMs: 5,
        breakerThreshold: 1e6,
        retryBudgetMinPerSecond: 1000,
      },
    );

    for (let wave = 0; wave < 5; wave += 1) {
      const callers = Array.from({ length: 12 }, (_, index) => wave * 12 + index);
      // Each answer is checked as it comes: a wedged socket fails the first caller that times out.
      await Promise.all(
        callers.map(async (n) => {
          const [, expected] = bodies[kinds[n % kinds.length]!]!;
          expect(await ask(gw.url, kinds[n % kinds.length]!, n)).toEqual(expected(n));
        }),
      );
    }
    // 503 is retried: three attempts for each of its callers.
    const retried = Array.from({ length: 60 }, (_, n) => kinds[n % kinds.length]).filter(
      (kind) => kind === 'unavailable',
    ).length;
    expect(up.requests).toHaveLength(60 + 2 * retried);

    await until(() => poolIdle(gw), 'every socket of the pool is idle', 2000);
    expect({ inFlight: stats.inFlight, queued: stats.queued }).toEqual({ inFlight: 0, queued: 0 });
    for (const n of [100, 101, 102]) expect(await ask(gw.url, 'ok', n)).toEqual(served(n));
    // Both sockets at once: Drata answers only once both requests are there.
    expect(await Promise.all([ask(gw.url, 'barrier', 200), ask(gw.url, 'barrier', 201)])).toEqual([
      served(200),
      served(201),
    ]);
    expect(stats.inFlight).toBe(0);
  });
});

describe('slots never leak', () => {
  it('300 callers who leave the queue give every slot back: the gate opens onto full concurrency', async () => {
    const gated: [number, ServerResponse][] = [];
    const gate = barrier(4);
    const strays: number[] = [];
    const { gateway: gw, stats } = await setup(
      (kind, n, _request, response) => {
        if (kind === 'gated') gated.push([n, response]);
        else if (kind === 'barrier') gate.hold(n, response);
        else {
          strays.push(n);
          answer(n, response);
        }
      },
      // Long enough for the gate to hold while 300 callers come and go.
      { maxConcurrency: 4, maxQueue: 1000, timeoutMs: 15_000, attemptTimeoutMs: 15_000 },
    );
    const held = [0, 1, 2, 3].map((n) => ask(gw.url, 'gated', n));
    await until(() => gated.length === 4, 'the gate holds four calls');
    expect(stats.inFlight).toBe(4);

    const leaving = Array.from({ length: 300 }, (_, index) => {
      const controller = new AbortController();
      const result = ask(gw.url, 'queued', 1000 + index, controller.signal).catch((error: unknown) => error);
      return { controller, result };
    });
    await until(() => stats.queued === 300, 'the 300 wait for a slot', 10_000);
    for (const { controller } of leaving) controller.abort();
    for (const { result } of leaving) expect(await result).toMatchObject({ name: 'AbortError' });
    await until(() => stats.queued === 0, 'the queue is empty', 5000);
    expect(stats.inFlight).toBe(4);

    for (const [n, response] of gated) answer(n, response);
    expect(await Promise.all(held)).toEqual([0, 1, 2, 3].map(served));
    await until(() => stats.inFlight === 0, 'every slot is free');

    // Full concurrency: four calls at Drata at once, none of them waiting for a slot.
    const barrierCalls = Promise.all([10, 11, 12, 13].map((n) => ask(gw.url, 'barrier', n)));
    await until(() => gate.arrived === 4, 'four calls reach Drata at once', 5000);
    expect(await barrierCalls).toEqual([10, 11, 12, 13].map(served));
    expect(strays).toEqual([]);
    await until(() => stats.inFlight === 0 && poolIdle(gw), 'every slot and socket is free');
  });

  it('callers leaving the queue and the upstream, between releases: each freed slot goes to the next caller still waiting', async () => {
    const held = new Map<number, ServerResponse>();
    const requests = new Map<number, IncomingMessage>();
    const arrivals: number[] = [];
    const {
      gateway: gw,
      upstream: up,
      stats,
    } = await setup(
      (_kind, n, request, response) => {
        arrivals.push(n);
        held.set(n, response);
        requests.set(n, request);
      },
      { maxConcurrency: 2, maxQueue: 100, timeoutMs: 15_000, attemptTimeoutMs: 15_000 },
    );
    const callers = new Map<number, { controller: AbortController; result: Promise<unknown> }>();
    const call = (n: number): void => {
      const controller = new AbortController();
      callers.set(n, {
        controller,
        result: ask(gw.url, 'caller', n, controller.signal).catch((error: unknown) => error),
      });
    };
    const release = (n: number): void => answer(n, held.get(n)!);
    const leave = (...ns: number[]): void => {
      for (const n of ns) callers.get(n)!.controller.abort();
    };
    const arrived = (count: number): Promise<void> =>
      until(() => arrivals.length === count, `${count} calls reached Drata`);
    const queued = (count: number): Promise<void> => until(() => stats.queued === count, `${count} queued`);

    call(0);
    call(1);
    await arrived(2);
    // One at a time, so that the queue's order is the callers' order.
    for (let n = 2; n < 12; n += 1) {
      call(n);
      await queued(n - 1);
    }

    leave(2, 3);
    await queued(8);
    release(0);
    await arrived(3);
    // A caller who leaves while Drata works on its call frees its slot too.
    leave(1);
    await up.closed(requests.get(1)!);
    await arrived(4);
    leave(6, 8);
    await queued(4);
    release(4);
    await arrived(5);
    release(5);
    await arrived(6);
    leave(10);
    await queued(1);
    release(7);
    await arrived(7);
    release(9);
    release(11);

    expect(arrivals).toEqual([0, 1, 4, 5, 7, 9, 11]);
    const results = new Map<number, unknown>();
    for (const [n, { result }] of callers) results.set(n, await result);
    for (const n of [0, 4, 5, 7, 9, 11]) expect(results.get(n)).toEqual(served(n));
    for (const n of [1, 2, 3, 6, 8, 10]) expect(results.get(n)).toMatchObject({ name: 'AbortError' });
    await until(() => stats.inFlight === 0 && stats.queued === 0, 'no slot is held and nobody waits');
  });
});

/** How `promise` stands once the turn of the event loop is over: settled at once, or still pending. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  const pending = new Promise((resolve) => setImmediate(() => resolve({ pending: true })));
  return Promise.race([
    promise.then(
      (value) => ({ resolved: value }),
      (error: unknown) => ({ rejected: error }),
    ),
    pending,
  ]);
}

describe('a call waiting for a socket of its pool', () => {
  // A pool of one socket that other traffic of the process holds: the call has its slot, but undici
  // queues its request until the socket is free.
  async function setupBusyPool(resilience: Partial<ResilienceOptions>) {
    const held: ServerResponse[] = [];
    upstream = await startUpstream((request, response) => {
      if (request.url === '/public/other') held.push(response);
      else answer(1, response);
    });
    const pool = new Agent({ connections: 1 });
    gateway = await startGateway({ baseUrl: upstream.baseUrl, dispatcher: pool, resilience });
    const other = request(`${upstream.baseUrl.href}/other`, { dispatcher: pool }).then((response) =>
      response.body.text(),
    );
    await until(() => held.length === 1, 'the other request holds the socket');
    const free = async (): Promise<void> => {
      held[0]?.end('done');
      await other;
      await pool.close();
    };
    return { up: upstream, gw: gateway, stats: gateway.gateway.upstream.stats, free };
  }

  it('still ends at its attempt timer with UPSTREAM_TIMEOUT, its slot free', async () => {
    const { up, gw, stats, free } = await setupBusyPool({
      maxConcurrency: 4,
      timeoutMs: 10_000,
      attemptTimeoutMs: 300,
      maxAttempts: 1,
    });
    try {
      expect(await ask(gw.url, 'waiting', 1)).toEqual(
        failed(1, 'Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT' }),
      );
      expect(stats.inFlight).toBe(0);
    } finally {
      await free();
    }
    // The abandoned request never reached Drata, even once the socket was free.
    expect(up.requests.map((recorded) => recorded.url)).toEqual(['/public/other']);
  });

  it('is cancelled at once when its caller leaves: the slot is free before the socket is', async () => {
    const { up, gw, stats, free } = await setupBusyPool({
      maxConcurrency: 4,
      timeoutMs: 10_000,
      attemptTimeoutMs: 10_000,
    });
    try {
      const controller = new AbortController();
      const asked = ask(gw.url, 'waiting', 1, controller.signal).catch((error: unknown) => error);
      await until(() => stats.inFlight === 1, 'the call holds its slot');
      controller.abort();
      expect(await asked).toMatchObject({ name: 'AbortError' });
      await until(() => stats.inFlight === 0, 'the slot is free', 1000);
    } finally {
      await free();
    }
    expect(up.requests.map((recorded) => recorded.url)).toEqual(['/public/other']);
  });
});

describe('createConcurrencyLimiter', () => {
  const live = new AbortController().signal;

  it('an already-aborted waiter is refused at once with its reason, and never queued or counted', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrency: 1, maxQueue: 10 });
    const reason = new Error('the caller left');
    const gone = AbortSignal.abort(reason);

    // With a slot free.
    expect(await outcome(limiter.acquire(gone))).toEqual({ rejected: reason });
    expect({ inFlight: limiter.inFlight, queued: limiter.queued }).toEqual({ inFlight: 0, queued: 0 });

    // With every slot taken.
    const release = await limiter.acquire(live);
    const refused = limiter.acquire(gone);
    expect({ inFlight: limiter.inFlight, queued: limiter.queued }).toEqual({ inFlight: 1, queued: 0 });
    expect(await outcome(refused)).toEqual({ rejected: reason });
    release!();
    expect(limiter.inFlight).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue at once and never takes a slot', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrency: 1, maxQueue: 10 });
    const release = await limiter.acquire(live);
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(limiter.queued).toBe(1);
    const reason = new Error('the caller left');
    controller.abort(reason);
    expect(limiter.queued).toBe(0);
    expect(await outcome(waiting)).toEqual({ rejected: reason });
    release!();
    expect({ inFlight: limiter.inFlight, queued: limiter.queued }).toEqual({ inFlight: 0, queued: 0 });
  });

  it('a slot freed while the head waiter is being cancelled goes to the next live waiter; inFlight stays exact', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrency: 2, maxQueue: 10 });
    const first = (await limiter.acquire(live))!;
    const second = (await limiter.acquire(live))!;
    const controller = new AbortController();
    // The holder of the first slot goes away with the same signal, and is told first: the slot frees
    // while the head waiter's signal has aborted but before it has heard.
    controller.signal.addEventListener('abort', first, { once: true });
    const head = limiter.acquire(controller.signal);
    const next = limiter.acquire(live);
    const last = limiter.acquire(live);
    expect({ inFlight: limiter.inFlight, queued: limiter.queued }).toEqual({ inFlight: 2, queued: 3 });

    const reason = new Error('the caller left');
    controller.abort(reason);
    expect(await outcome(head)).toEqual({ rejected: reason });
    const nextRelease = (await outcome(next)) as { resolved?: () => void };
    expect(nextRelease.resolved).toBeTypeOf('function');
    expect(await outcome(last)).toEqual({ pending: true });
    expect({ inFlight: limiter.inFlight, queued: limiter.queued }).toEqual({ inFlight: 2, queued: 1 });

    second();
    const lastRelease = (await outcome(last)) as { resolved?: () => void };
    expect(lastRelease.resolved).toBeTypeOf('function');
    nextRelease.resolved!();
    // Releasing twice frees one slot, not two.
    nextRelease.resolved!();
    expect(limiter.inFlight).toBe(1);
    lastRelease.resolved!();
    expect({ inFlight: limiter.inFlight, queued: limiter.queued }).toEqual({ inFlight: 0, queued: 0 });
  });
});
