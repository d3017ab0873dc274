import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResilienceOptions } from '../src/upstream/policies.js';
import {
  close,
  drataItem,
  drataPage,
  graphql,
  listen,
  sendJson,
  startGateway,
  startUpstream,
  createTestClock,
  until,
  type RunningGateway,
  type TestClock,
  type TestUpstream,
} from './helpers.js';

const auth = { authorization: 'Bearer resilient', 'x-request-id': 'req-1' };
const query = '{ connections { total } }';
const ok = { data: { connections: { total: 1 } } };

/** Fast policies for tests: short deadlines and backoff, no breaker and a generous budget unless a test asks. */
const fast: Partial<ResilienceOptions> = {
  timeoutMs: 1500,
  attemptTimeoutMs: 1500,
  backoffBaseMs: 10,
  backoffCapMs: 40,
  breakerThreshold: 1000,
  retryBudgetMinPerSecond: 1000,
};

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

let upstream: TestUpstream | undefined;
let gateway: RunningGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await upstream?.close();
  gateway = undefined;
  upstream = undefined;
});

/** Starts an upstream whose n-th request (from 0) `handler` answers, and a gateway in front of it. */
async function setup(handler: Handler, resilience: Partial<ResilienceOptions> = {}, clock?: TestClock) {
  let index = 0;
  upstream = await startUpstream((request, response) => {
    handler(request, response, index);
    index += 1;
  });
  gateway = await startGateway({
    baseUrl: upstream.baseUrl,
    resilience: { ...fast, ...resilience },
    ...(clock ? { clock } : {}),
  });
  return { upstream, gateway };
}

/** Sends the query; resolves with the answer's body. */
async function ask(url: string, headers: Record<string, string> = auth) {
  const answer = await graphql(url, query, { headers });
  return { body: answer.body };
}

/** Headers of the n-th of many callers: a token of its own, so that no two calls coalesce. */
const tenant = (index: number): Record<string, string> => ({
  ...auth,
  authorization: `Bearer tenant-${index}`,
});

const failed = (message: string, extensions: Record<string, unknown>) => ({
  data: { connections: null },
  errors: [{ message, locations: [{ line: 1, column: 3 }], path: ['connections'], extensions }],
});

const okPage: Handler = (_request, response) => sendJson(response, 200, drataPage([drataItem()]));
const status =
  (code: number, headers: Record<string, string> = {}): Handler =>
  (_request, response) =>
    sendJson(response, code, { statusCode: code, message: 'no', code: 1 }, headers);
const sequence =
  (...handlers: Handler[]): Handler =>
  (request, response, index) =>
    (handlers[Math.min(index, handlers.length - 1)] as Handler)(request, response, index);

// Where a real timer is the point, the other bound is set far past the test's own timeout, so the
// timer under test is the only thing that can end the call: no wall-clock assertion is needed.
const never = 60_000;

describe('deadlines', () => {
  it('headers that never come: UPSTREAM_TIMEOUT after the attempt timeout, one attempt, socket released', async () => {
    const seen: IncomingMessage[] = [];
    const { upstream: up, gateway: gw } = await setup((request) => seen.push(request), {
      timeoutMs: never,
      attemptTimeoutMs: 200,
    });
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: 'req-1' }),
    );
    expect(up.requests).toHaveLength(1);
    await up.closed(seen[0]!);
    expect(await up.connections()).toBe(0);
  });

  it('the call deadline bounds a long attempt timeout', async () => {
    const { upstream: up, gateway: gw } = await setup(() => undefined, {
      timeoutMs: 250,
      attemptTimeoutMs: never,
    });
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: 'req-1' }),
    );
    expect(up.requests).toHaveLength(1);
  });

  it('a body that trickles and stalls: UPSTREAM_TIMEOUT, one attempt', async () => {
    const { upstream: up, gateway: gw } = await setup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"data":[');
        setTimeout(() => response.write('{"id":1,'), 50);
      },
      { timeoutMs: never, attemptTimeoutMs: 250 },
    );
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: 'req-1' }),
    );
    expect(up.requests).toHaveLength(1);
  });

  it('one timer bounds the whole attempt: a body that keeps trickling past it is UPSTREAM_TIMEOUT', async () => {
    // Headers at once, then a byte every 20 ms for about 600 ms, then a valid end. No phase is ever
    // idle for long, so only a bound on the whole attempt (200 ms) stops it; the deadline is far.
    const page = JSON.stringify(drataPage([drataItem()]));
    const { upstream: up, gateway: gw } = await setup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        let sent = 0;
        const timer = setInterval(() => {
          if (response.destroyed) {
            clearInterval(timer);
            return;
          }
          if (sent < 30) response.write(' ');
          else {
            clearInterval(timer);
            response.end(page);
          }
          sent += 1;
        }, 20);
      },
      { timeoutMs: 10_000, attemptTimeoutMs: 200 },
    );
    expect((await ask(gw.url)).body).toEqual(
      failed('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: 'req-1' }),
    );
    expect(up.requests).toHaveLength(1);
    expect(gw.gateway.upstream.stats).toMatchObject({ attempts: 1, timeouts: 1 });
  });

  it('a caller who disconnects cancels its upstream call', async () => {
    const seen: IncomingMessage[] = [];
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const { upstream: up, gateway: gw } = await setup(
      (request) => {
        seen.push(request);
        arrived();
      },
      { timeoutMs: never, attemptTimeoutMs: never },
    );
    const controller = new AbortController();
    const answer = fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await reached;
    controller.abort();
    await answer;
    // Only the cancellation can close it: the deadline is a minute away.
    await up.closed(seen[0]!);
    expect(up.requests).toHaveLength(1);
    // A caller going away is ordinary: nothing is logged as an error.
    expect(gw.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50)).toEqual([]);
  });
});

describe('retries', () => {
  it.each([
    ['a burst of 503 then recovery', [status(503), status(503), okPage], 3],
    ['502 once', [status(502), okPage], 2],
    ['504 once', [status(504), okPage], 2],
    ['a reset once', [(request: IncomingMessage) => request.socket.destroy(), okPage], 2],
    [
      'a reset in the middle of the body',
      [
        (request: IncomingMessage, response: ServerResponse) => {
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '999' });
          response.write('{"data":[', () => request.socket.destroy());
        },
        okPage,
      ],
      2,
    ],
  ] as [string, Handler[], number][])('%s: data after %i attempts', async (_name, handlers, attempts) => {
    const { upstream: up, gateway: gw } = await setup(sequence(...handlers));
    const { body } = await ask(gw.url);
    expect(body).toEqual(ok);
    expect(up.requests).toHaveLength(attempts);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 1, attempts, retries: attempts - 1 });
  });

  it('503 every time: UPSTREAM_ERROR after 3 attempts, no more', async () => {
    const { upstream: up, gateway: gw } = await setup(status(503));
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed('Drata answered with an error (HTTP 503).', {
        code: 'UPSTREAM_ERROR',
        upstreamStatus: 503,
        upstreamCode: 1,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(3);
  });

  it('a refused connection is retried, then UPSTREAM_UNAVAILABLE', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    gateway = await startGateway({ baseUrl: new URL(`http://127.0.0.1:${port}/public`), resilience: fast });
    const { body } = await ask(gateway.url);
    expect(body).toEqual(
      failed('Drata could not be reached.', { code: 'UPSTREAM_UNAVAILABLE', requestId: 'req-1' }),
    );
    expect(gateway.gateway.upstream.stats).toMatchObject({ attempts: 3, retries: 2 });
  });

  it.each([
    [500, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 500).'],
    [400, 'BAD_USER_INPUT', 'Drata rejected the request (HTTP 400): no'],
    [401, 'UNAUTHENTICATED', 'Drata did not accept the API key (HTTP 401): no'],
    [403, 'FORBIDDEN', 'The API key is not allowed to list connections (HTTP 403): no'],
    [404, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 404): no'],
  ])('%i is never retried', async (code, errorCode, message) => {
    const { upstream: up, gateway: gw } = await setup(status(code));
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed(message, { code: errorCode, upstreamStatus: code, upstreamCode: 1, requestId: 'req-1' }),
    );
    expect(up.requests).toHaveLength(1);
  });

  it.each([
    ['truncated JSON', '{"data":[{"id":1', 'the answer is not JSON'],
    ['an HTML body', '<!doctype html><p>maintenance</p>', 'the answer is not JSON'],
  ])('%s is UPSTREAM_BAD_RESPONSE, not retried', async (_name, text, reason) => {
    const { upstream: up, gateway: gw } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(text);
    });
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed(`Drata's answer could not be read: ${reason}.`, {
        code: 'UPSTREAM_BAD_RESPONSE',
        upstreamStatus: 200,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(1);
  });

  it('a 10 MiB body is UPSTREAM_BAD_RESPONSE under the default 5 MiB cap', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const { upstream: up, gateway: gw } = await setup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"data":[');
        for (let index = 0; index < 10; index += 1) response.write(chunk);
        response.end('],"page":1,"limit":20,"total":0}');
      },
      { maxResponseBytes: 5 * 1024 * 1024 },
    );
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed("Drata's answer could not be read: the answer is too large.", {
        code: 'UPSTREAM_BAD_RESPONSE',
        upstreamStatus: 200,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(1);
  });

  it('a 302 to another host is never followed: the other host receives nothing', async () => {
    await using other = await startUpstream((_request, response) => sendJson(response, 200, drataPage([])));
    const { upstream: up, gateway: gw } = await setup((_request, response) => {
      response.writeHead(302, { location: `${other.baseUrl.href}/connections?page=1&limit=20` });
      response.end();
    });
    const { body } = await ask(gw.url);
    expect(body).toEqual(
      failed('Drata answered with an error (HTTP 302).', {
        code: 'UPSTREAM_ERROR',
        upstreamStatus: 302,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(1);
    expect(other.requests).toEqual([]);
  });
});

describe('Retry-After', () => {
  // On a test clock the waits are recorded, not slept: 0.5 of jitter on a base of 10 ms is 5 ms.
  it('in seconds, when it fits the deadline: waits that long, then succeeds', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      sequence(status(429, { 'retry-after': '1' }), okPage),
      { timeoutMs: 3000 },
      clock,
    );
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(up.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([1005]);
    expect(gw.gateway.upstream.stats).toMatchObject({ retries: 1, retryAfterWaits: 1 });
  });

  it('as an HTTP date, when it fits: waits until then, then succeeds', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      sequence((request, response, index) => {
        status(429, { 'retry-after': new Date(Date.now() + 2000).toUTCString() })(request, response, index);
      }, okPage),
      { timeoutMs: 4000 },
      clock,
    );
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(up.requests).toHaveLength(2);
    // An HTTP date has one-second resolution.
    expect(clock.sleeps).toHaveLength(1);
    expect([1005, 2005, 3005]).toContain(clock.sleeps[0]);
  });

  it.each([
    ['no Retry-After', {}],
    ['a garbled Retry-After', { 'retry-after': 'in a bit' }],
  ])('a 429 with %s waits at least a second before its retry', async (_name, headers) => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(sequence(status(429, headers), okPage), {}, clock);
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(up.requests).toHaveLength(2);
    // One second, plus the first retry's backoff (0.5 × 10 ms).
    expect(clock.sleeps).toEqual([1005]);
    expect(gw.gateway.upstream.stats).toMatchObject({ retries: 1, retryAfterWaits: 1 });
  });

  it('a 429 without Retry-After when a second does not fit the deadline: RATE_LIMITED at once, retryAfter 1', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      sequence(status(429), okPage),
      { timeoutMs: 900, attemptTimeoutMs: 900 },
      clock,
    );
    expect((await ask(gw.url)).body).toEqual(
      failed("Drata's rate limit was reached (HTTP 429): no", {
        code: 'RATE_LIMITED',
        upstreamStatus: 429,
        upstreamCode: 1,
        retryAfter: 1,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([
    ['seconds', () => '30', 30],
    ['an HTTP date', () => new Date(Date.now() + 60_000).toUTCString(), 60],
  ])('in %s, past the deadline: RATE_LIMITED at once with retryAfter', async (_name, header, seconds) => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      (request, response, index) => {
        status(429, { 'retry-after': header() })(request, response, index);
      },
      {},
      clock,
    );
    const { body } = await ask(gw.url);
    const retryAfter = (body.errors?.[0]?.extensions['retryAfter'] ?? 0) as number;
    expect(retryAfter).toBeGreaterThanOrEqual(seconds - 1);
    expect(retryAfter).toBeLessThanOrEqual(seconds);
    expect(body).toEqual(
      failed("Drata's rate limit was reached (HTTP 429): no", {
        code: 'RATE_LIMITED',
        upstreamStatus: 429,
        upstreamCode: 1,
        retryAfter,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('a freshly started gateway', () => {
  // The production budget (10% of calls plus one a second) on a clock that never moves: the only
  // retries available are the budget's starting reserve.
  const production = { retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 1 };

  it('retries its first transient 503', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(sequence(status(503), okPage), production, clock);
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(up.requests).toHaveLength(2);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 1, retries: 1, retriesDenied: 0 });
  });

  it('retries its first 429 with Retry-After: 1', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      sequence(status(429, { 'retry-after': '1' }), okPage),
      production,
      clock,
    );
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(up.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([1005]);
  });

  it('spends its reserve of ten retries, then retries only what calls earn', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(status(503), { ...production, maxAttempts: 2 }, clock);
    for (let index = 0; index < 12; index += 1) await ask(gw.url, tenant(index));
    // Ten retries from the reserve; twelve first attempts earn 1.2 more.
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 12, retries: 11, retriesDenied: 1 });
    expect(up.requests).toHaveLength(23);
  });
});

describe('amplification and the circuit breaker', () => {
  it('200 concurrent requests against a 503 outage: retries within 10% of calls plus the reserve, no breaker needed', async () => {
    const clock = createTestClock();
    // A breaker that cannot open and the production budget: the budget alone bounds the retries.
    const { upstream: up, gateway: gw } = await setup(
      status(503),
      { breakerThreshold: 1000, retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 1, maxQueue: 1000 },
      clock,
    );
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) => graphql(gw.url, query, { headers: tenant(index) })),
    );
    for (const answer of answers) {
      expect(answer.body).toEqual(
        failed('Drata answered with an error (HTTP 503).', {
          code: 'UPSTREAM_ERROR',
          upstreamStatus: 503,
          upstreamCode: 1,
          requestId: `req-1`,
        }),
      );
    }
    // 200 first attempts, 20 retries they earn, 10 from the reserve; the clock never moved.
    expect(up.requests.length).toBeGreaterThan(200);
    expect(up.requests.length).toBeLessThanOrEqual(230);
    expect(gw.gateway.upstream.stats).toMatchObject({
      calls: 200,
      retries: up.requests.length - 200,
      breakerState: 'closed',
      breakerOpened: 0,
    });
  });

  it('the same outage with the default breaker: it opens and fails the rest fast', async () => {
    const { upstream: up, gateway: gw } = await setup(status(503), {
      breakerThreshold: 5,
      breakerCooldownMs: 30_000,
      retryBudgetMinPerSecond: 1,
    });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) => graphql(gw.url, query, { headers: tenant(index) })),
    );
    for (const answer of answers) {
      expect(answer.body.data).toEqual({ connections: null });
      expect(['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE']).toContain(answer.body.errors?.[0]?.extensions.code);
    }
    expect(up.requests.length).toBeLessThan(200);
    expect(gw.gateway.upstream.stats).toMatchObject({ breakerState: 'open', breakerOpened: 1 });
    expect(gw.gateway.upstream.stats.breakerRejections).toBeGreaterThan(0);
  });

  it('the retry budget alone keeps retries within 10% of calls (no breaker, no floor)', async () => {
    const { upstream: up, gateway: gw } = await setup(status(503), {
      retryBudgetMinPerSecond: 0,
      maxQueue: 1000,
    });
    await Promise.all(
      Array.from({ length: 200 }, (_, index) => graphql(gw.url, query, { headers: tenant(index) })),
    );
    expect(up.requests.length).toBeGreaterThan(200);
    expect(up.requests.length).toBeLessThanOrEqual(220);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 200, retries: up.requests.length - 200 });
    expect(gw.gateway.upstream.stats.retriesDenied).toBeGreaterThan(0);
  });

  it('the breaker fails fast while open and closes after one good probe once the cool-down is over', async () => {
    const clock = createTestClock();
    let healthy = false;
    const { upstream: up, gateway: gw } = await setup(
      (request, response, index) => (healthy ? okPage : status(503))(request, response, index),
      { breakerThreshold: 3, breakerCooldownMs: 30_000, maxAttempts: 1 },
      clock,
    );
    for (let index = 0; index < 3; index += 1) await ask(gw.url);
    expect(up.requests).toHaveLength(3);
    clock.advance(10_000);
    expect((await ask(gw.url)).body).toEqual(
      failed('Drata is failing: calls to it are paused for a moment.', {
        code: 'UPSTREAM_UNAVAILABLE',
        retryAfter: 20,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(3);
    healthy = true;
    clock.advance(19_999);
    expect((await ask(gw.url)).body.errors?.[0]?.extensions).toMatchObject({ retryAfter: 1 });
    expect(up.requests).toHaveLength(3);
    clock.advance(1);
    expect((await ask(gw.url)).body).toEqual(ok);
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(up.requests).toHaveLength(5);
    expect(gw.gateway.upstream.stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1 });
  });

  it('the failure that opens the circuit reaches its caller as Drata answered it, not retried', async () => {
    const { upstream: up, gateway: gw } = await setup(status(503), { breakerThreshold: 1 });
    expect((await ask(gw.url)).body).toEqual(
      failed('Drata answered with an error (HTTP 503).', {
        code: 'UPSTREAM_ERROR',
        upstreamStatus: 503,
        upstreamCode: 1,
        requestId: 'req-1',
      }),
    );
    expect(up.requests).toHaveLength(1);
    expect(gw.gateway.upstream.stats).toMatchObject({
      breakerState: 'open',
      retries: 0,
      breakerRejections: 0,
    });
  });

  it.each([500, 502, 504, 599])('%i answers open the breaker as 503 does', async (code) => {
    const { upstream: up, gateway: gw } = await setup(status(code), { breakerThreshold: 2, maxAttempts: 1 });
    await ask(gw.url, tenant(1));
    expect(gw.gateway.upstream.stats.breakerState).toBe('closed');
    await ask(gw.url, tenant(2));
    expect(gw.gateway.upstream.stats).toMatchObject({ breakerState: 'open', breakerOpened: 1 });
    expect((await ask(gw.url, tenant(3))).body.errors?.[0]?.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(up.requests).toHaveLength(2);
  });

  it('an open circuit refuses a call before it spends a token or waits for one', async () => {
    const clock = createTestClock();
    // 60 a minute: a burst of five. Four calls succeed, the fifth fails and opens the circuit.
    const { gateway: gw } = await setup(
      (request, response, index) => (index < 4 ? okPage : status(503))(request, response, index),
      {
        rateLimitPerMinute: 60,
        breakerThreshold: 1,
        breakerCooldownMs: 30_000,
        maxAttempts: 1,
        timeoutMs: 5000,
        attemptTimeoutMs: 1000,
      },
      clock,
    );
    for (let index = 0; index < 5; index += 1) await ask(gw.url, tenant(index));
    expect(gw.gateway.upstream.stats.breakerState).toBe('open');
    expect((await ask(gw.url, tenant(5))).body).toEqual(
      failed('Drata is failing: calls to it are paused for a moment.', {
        code: 'UPSTREAM_UNAVAILABLE',
        retryAfter: 30,
        requestId: 'req-1',
      }),
    );
    expect(clock.sleeps).toEqual([]);
    expect(gw.gateway.upstream.stats).toMatchObject({ rateLimitWaits: 0, breakerRejections: 1 });
  });

  it("Drata's 4xx never open the breaker", async () => {
    const { upstream: up, gateway: gw } = await setup(status(403), { breakerThreshold: 2 });
    for (let index = 0; index < 5; index += 1) await ask(gw.url);
    expect(up.requests).toHaveLength(5);
    expect(gw.gateway.upstream.stats.breakerState).toBe('closed');
  });
});

describe('rate limit and concurrency', () => {
  // 60 a minute: a burst of 5, then one a second. The policies run on a test clock: time moves
  // only when the test moves it, and the rate limit's waits are recorded, not slept.
  it('a call that fits the deadline waits its turn, leaving the attempt its whole timeout', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      okPage,
      { rateLimitPerMinute: 60, timeoutMs: 2000, attemptTimeoutMs: 1000 },
      clock,
    );
    for (let index = 0; index < 5; index += 1) expect((await ask(gw.url)).body).toEqual(ok);
    expect(clock.sleeps).toEqual([]);
    expect((await ask(gw.url)).body).toEqual(ok);
    expect(clock.sleeps).toEqual([1000]);
    expect(up.requests).toHaveLength(6);
    expect(gw.gateway.upstream.stats).toMatchObject({ rateLimitWaits: 1, rateLimitRejections: 0 });
  });

  it('a wait that would leave the attempt less than its timeout: RATE_LIMITED at once, nothing sent', async () => {
    const clock = createTestClock();
    // 1000 ms of wait and a 1000 ms attempt do not fit in 1900 ms.
    const { upstream: up, gateway: gw } = await setup(
      okPage,
      { rateLimitPerMinute: 60, timeoutMs: 1900, attemptTimeoutMs: 1000 },
      clock,
    );
    for (let index = 0; index < 5; index += 1) expect((await ask(gw.url)).body).toEqual(ok);
    const refused = await ask(gw.url);
    expect(refused.body).toEqual(
      failed("The gateway's rate limit toward Drata was reached.", {
        code: 'RATE_LIMITED',
        retryAfter: 1,
        requestId: 'req-1',
      }),
    );
    expect(clock.sleeps).toEqual([]);
    expect(up.requests).toHaveLength(5);
    expect(gw.gateway.upstream.stats).toMatchObject({ rateLimitWaits: 0, rateLimitRejections: 1 });
    // A second later the next token is there.
    clock.advance(1000);
    expect((await ask(gw.url)).body).toEqual(ok);
  });

  it('a token reserved by a call the queue refuses is given back', async () => {
    const clock = createTestClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { upstream: up, gateway: gw } = await setup(
      (request, response, index) => {
        if (index === 0) void gate.then(() => okPage(request, response, index));
        else okPage(request, response, index);
      },
      { rateLimitPerMinute: 60, maxConcurrency: 1, maxQueue: 0, timeoutMs: 5000, attemptTimeoutMs: 1000 },
      clock,
    );
    // The first call holds the only slot; four more each reserve a token and are refused by the queue.
    const held = ask(gw.url, tenant(0));
    await until(() => up.requests.length === 1, 'the first call reached Drata');
    for (let index = 1; index <= 4; index += 1) {
      expect((await ask(gw.url, tenant(index))).body).toEqual(
        failed('Too many calls to Drata are waiting already.', {
          code: 'UPSTREAM_UNAVAILABLE',
          requestId: 'req-1',
        }),
      );
    }
    release();
    expect((await held).body).toEqual(ok);
    // Four tokens are left of the burst of five: four calls go without a wait.
    for (let index = 5; index <= 8; index += 1) expect((await ask(gw.url, tenant(index))).body).toEqual(ok);
    expect(clock.sleeps).toEqual([]);
    expect(gw.gateway.upstream.stats).toMatchObject({ queueRejections: 4, rateLimitWaits: 0 });
  });

  it('a token reserved by a call cancelled during its wait is given back', async () => {
    const clock = createTestClock();
    const { upstream: up, gateway: gw } = await setup(
      okPage,
      { rateLimitPerMinute: 60, timeoutMs: 5000, attemptTimeoutMs: 1000 },
      clock,
    );
    for (let index = 0; index < 5; index += 1) expect((await ask(gw.url, tenant(index))).body).toEqual(ok);
    clock.holdSleeps = true;
    const controller = new AbortController();
    const gone = fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...tenant(5) },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await until(() => clock.sleeps.length === 1, 'the call waits for a token');
    controller.abort();
    await gone;
    await until(() => gw.logs.some((line) => line.includes('the call to Drata was cancelled')), 'cancelled');
    clock.holdSleeps = false;
    // Its token came back: the next call waits one interval (1000 ms), not two.
    expect((await ask(gw.url, tenant(6))).body).toEqual(ok);
    expect(clock.sleeps).toEqual([1000, 1000]);
    expect(up.requests).toHaveLength(6);
  });

  it('at most maxConcurrency in flight; past the queue a call fails fast', async () => {
    let inFlight = 0;
    let most = 0;
    const { gateway: gw } = await setup(
      (_request, response) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          okPage(_request, response, 0);
        }, 150);
      },
      { maxConcurrency: 2, maxQueue: 1 },
    );
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, index) =>
        ask(gw.url, { ...tenant(index), 'x-request-id': `req-${index}` }).then((answer) => answer.body),
      ),
    );
    const refused = answers.filter((body) => body.data?.['connections'] === null);
    expect(refused).toEqual([
      {
        data: { connections: null },
        errors: [
          {
            message: 'Too many calls to Drata are waiting already.',
            locations: [{ line: 1, column: 3 }],
            path: ['connections'],
            extensions: {
              code: 'UPSTREAM_UNAVAILABLE',
              requestId: expect.stringMatching(/^req-\d$/) as unknown,
            },
          },
        ],
      },
    ]);
    expect(answers.filter((body) => body.data?.['connections'] !== null)).toHaveLength(3);
    expect(most).toBe(2);
    expect(gw.gateway.upstream.stats).toMatchObject({ queueRejections: 1 });
  });
});
