import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createCircuitBreaker,
  type BreakerPermit,
  type BreakerState,
  type CircuitBreaker,
  type ResilienceOptions,
} from '../src/upstream/policies.js';
import {
  close,
  createTestClock,
  drataItem,
  drataPage,
  graphql,
  listen,
  sendJson,
  startGateway,
  startUpstream,
  until,
  type RunningGateway,
  type TestClock,
  type TestUpstream,
} from './helpers.js';

describe('createCircuitBreaker', () => {
  /** A breaker on a hand-moved clock: two consecutive failures open it for 1000 ms. */
  function breakerAt() {
    let time = 0;
    const changes: BreakerState[] = [];
    const breaker = createCircuitBreaker(
      { breakerThreshold: 2, breakerCooldownMs: 1000 },
      (state) => changes.push(state),
      () => time,
    );
    return {
      breaker,
      changes,
      advance: (ms: number) => {
        time += ms;
      },
    };
  }

  const admit = (breaker: CircuitBreaker): BreakerPermit => {
    const permit = breaker.acquire();
    if (!permit) throw new Error(`the ${breaker.state} breaker refused an attempt`);
    return permit;
  };

  const open = (breaker: CircuitBreaker): void => {
    breaker.record(admit(breaker), 'down');
    breaker.record(admit(breaker), 'down');
    expect(breaker.state).toBe('open');
  };

  it('opens after the threshold of consecutive failures; an answer resets the run, nothing learnt does not', () => {
    const { breaker, changes } = breakerAt();
    breaker.record(admit(breaker), 'down');
    breaker.record(admit(breaker), 'up');
    breaker.record(admit(breaker), 'down');
    breaker.record(admit(breaker), 'unknown');
    expect(breaker.state).toBe('closed');
    expect(breaker.refusedFor()).toBe(0);
    breaker.record(admit(breaker), 'down');
    expect(breaker.state).toBe('open');
    expect(breaker.acquire()).toBeUndefined();
    expect(breaker.refusedFor()).toBe(1000);
    expect(changes).toEqual(['open']);
  });

  it('a success admitted before the circuit opened neither closes it nor shortens the cool-down', () => {
    const { breaker, changes, advance } = breakerAt();
    const slow = admit(breaker);
    open(breaker);
    advance(400);
    breaker.record(slow, 'up');
    expect(breaker.state).toBe('open');
    expect(breaker.acquire()).toBeUndefined();
    expect(breaker.refusedFor()).toBe(600);
    advance(600);
    // Looking changes nothing: the circuit turns half-open only when an attempt asks.
    expect(breaker.refusedFor()).toBe(0);
    expect(breaker.state).toBe('open');
    expect(admit(breaker).probe).toBe(true);
    expect(changes).toEqual(['open', 'half-open']);
  });

  it('a failure admitted before the circuit opened neither re-opens it nor pushes the cool-down out', () => {
    const { breaker, changes, advance } = breakerAt();
    const slow = admit(breaker);
    open(breaker);
    advance(400);
    breaker.record(slow, 'down');
    expect(breaker.refusedFor()).toBe(600);
    advance(600);
    expect(admit(breaker).probe).toBe(true);
    expect(changes).toEqual(['open', 'half-open']);
  });

  it('results admitted before the circuit opened do not count once it has closed again', () => {
    const { breaker, changes, advance } = breakerAt();
    const late = [admit(breaker), admit(breaker), admit(breaker)] as const;
    open(breaker);
    advance(1000);
    breaker.record(admit(breaker), 'up');
    expect(breaker.state).toBe('closed');
    breaker.record(late[0], 'down');
    breaker.record(late[1], 'down');
    expect(breaker.state).toBe('closed');
    // A late success does not reset the new run of failures either.
    breaker.record(admit(breaker), 'down');
    breaker.record(late[2], 'up');
    breaker.record(admit(breaker), 'down');
    expect(breaker.state).toBe('open');
    expect(changes).toEqual(['open', 'half-open', 'closed', 'open']);
  });

  it('half-open admits one probe; the others are told to wait a second; its success closes the circuit', () => {
    const { breaker, changes, advance } = breakerAt();
    open(breaker);
    advance(1000);
    const probe = admit(breaker);
    expect(probe.probe).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire()).toBeUndefined();
    expect(breaker.acquire()).toBeUndefined();
    expect(breaker.refusedFor()).toBe(1000);
    breaker.record(probe, 'up');
    expect(breaker.state).toBe('closed');
    expect(admit(breaker).probe).toBe(false);
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens the circuit for a whole cool-down counted from the failure', () => {
    const { breaker, changes, advance } = breakerAt();
    open(breaker);
    advance(1500);
    const probe = admit(breaker);
    advance(200);
    breaker.record(probe, 'down');
    expect(breaker.state).toBe('open');
    expect(breaker.refusedFor()).toBe(1000);
    advance(999);
    expect(breaker.acquire()).toBeUndefined();
    advance(1);
    expect(admit(breaker).probe).toBe(true);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('a probe that learns nothing frees the probe slot: the next attempt probes and decides', () => {
    const { breaker, changes, advance } = breakerAt();
    open(breaker);
    advance(1000);
    breaker.record(admit(breaker), 'unknown');
    expect(breaker.state).toBe('half-open');
    expect(breaker.refusedFor()).toBe(0);
    const next = admit(breaker);
    expect(next.probe).toBe(true);
    expect(breaker.acquire()).toBeUndefined();
    breaker.record(next, 'up');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('only the probe changes a half-open circuit', () => {
    const { breaker, changes, advance } = breakerAt();
    const late = admit(breaker);
    open(breaker);
    advance(1000);
    const probe = admit(breaker);
    const other: BreakerPermit = { generation: probe.generation, probe: false };
    for (const health of ['up', 'down', 'unknown'] as const) {
      breaker.record(other, health);
      breaker.record(late, health);
      expect(breaker.state).toBe('half-open');
      // The probe is still out.
      expect(breaker.acquire()).toBeUndefined();
    }
    breaker.record(probe, 'up');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });
});

describe('the circuit breaker in front of Drata', () => {
  const query = '{ connections { total } }';
  const ok = { data: { connections: { total: 1 } } };

  /**
   * One attempt per call, and a deadline long enough for Drata to hold a request while the test moves
   * the breaker along. Every caller sends a token of its own, so no two calls coalesce.
   */
  const settings: Partial<ResilienceOptions> = {
    timeoutMs: 10_000,
    attemptTimeoutMs: 10_000,
    maxAttempts: 1,
    breakerThreshold: 2,
    breakerCooldownMs: 30_000,
  };

  type Answer = (response: ServerResponse) => void;

  const page: Answer = (response) => sendJson(response, 200, drataPage([drataItem()]));
  const status =
    (code: number): Answer =>
    (response) =>
      sendJson(response, code, { statusCode: code, message: 'no', code: 1 });
  const unreadable: Answer = (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('<!doctype html><p>maintenance</p>');
  };

  interface Held {
    /** The caller's name, from its token. */
    readonly caller: string;
    readonly request: IncomingMessage;
    readonly response: ServerResponse;
  }

  /** Drata as a test drives it: callers whose name starts with `slow` are always held. */
  interface Drata {
    answer: Answer | 'hold';
    readonly held: Held[];
    /** Answers the held requests of `caller`. */
    release(caller: string, answer: Answer): void;
  }

  let upstream: TestUpstream | undefined;
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    // Drata first: a request it still holds would keep the gateway's pool from closing.
    await upstream?.close();
    await gateway?.close();
    upstream = undefined;
    gateway = undefined;
  });

  async function start(resilience: Partial<ResilienceOptions> = {}) {
    const clock: TestClock = createTestClock();
    const drata: Drata = {
      answer: page,
      held: [],
      release: (caller, answer) => {
        for (const entry of drata.held.filter((held) => held.caller === caller)) {
          drata.held.splice(drata.held.indexOf(entry), 1);
          answer(entry.response);
        }
      },
    };
    const up = await startUpstream((request, response, recorded) => {
      const caller = (recorded.headers['authorization'] ?? '').replace(/^Bearer key-of-/, '');
      if (caller.startsWith('slow') || drata.answer === 'hold')
        drata.held.push({ caller, request, response });
      else drata.answer(response);
    });
    upstream = up;
    const gw = await startGateway({ baseUrl: up.baseUrl, resilience: { ...settings, ...resilience }, clock });
    gateway = gw;
    /** Sends the query as caller `name`, with a token and request id of its own. */
    const ask = async (name: string) => (await graphql(gw.url, query, { headers: headers(name) })).body;
    return { up, gw, clock, drata, ask, stats: gw.gateway.upstream.stats };
  }

  const headers = (name: string): Record<string, string> => ({
    // A token that is not part of the request id, which answers and logs may show.
    authorization: `Bearer key-of-${name}`,
    'x-request-id': `req-${name}`,
  });

  const failed = (message: string, extensions: Record<string, unknown>) => ({
    data: { connections: null },
    errors: [{ message, locations: [{ line: 1, column: 3 }], path: ['connections'], extensions }],
  });
  const pausedMessage = 'Drata is failing: calls to it are paused for a moment.';
  const paused = (name: string, retryAfter: number) =>
    failed(pausedMessage, { code: 'UPSTREAM_UNAVAILABLE', retryAfter, requestId: `req-${name}` });
  const failing = (name: string) =>
    failed('Drata answered with an error (HTTP 503).', {
      code: 'UPSTREAM_ERROR',
      upstreamStatus: 503,
      upstreamCode: 1,
      requestId: `req-${name}`,
    });
  const timedOut = (name: string) =>
    failed('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: `req-${name}` });

  describe('what opens it', () => {
    it('503s open it at the threshold; it fails calls at once for the whole cool-down, then a probe closes it', async () => {
      const { up, clock, drata, ask, stats } = await start({ breakerThreshold: 3 });
      drata.answer = status(503);
      for (const name of ['a', 'b', 'c']) expect(await ask(name)).toEqual(failing(name));
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 1, breakerRejections: 0 });
      drata.answer = page;
      expect(await ask('early')).toEqual(paused('early', 30));
      clock.advance(29_000);
      expect(await ask('late')).toEqual(paused('late', 1));
      expect(up.requests).toHaveLength(3);
      clock.advance(1000);
      expect(await ask('probe')).toEqual(ok);
      expect(await ask('after')).toEqual(ok);
      expect(up.requests).toHaveLength(5);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1, breakerRejections: 2 });
    });

    it.each([
      [400, 'Drata rejected the request (HTTP 400): no', { code: 'BAD_USER_INPUT' }],
      [401, 'Drata did not accept the API key (HTTP 401): no', { code: 'UNAUTHENTICATED' }],
      [403, 'The API key is not allowed to list connections (HTTP 403): no', { code: 'FORBIDDEN' }],
      [404, 'Drata answered with an error (HTTP 404): no', { code: 'UPSTREAM_ERROR' }],
      [429, "Drata's rate limit was reached (HTTP 429): no", { code: 'RATE_LIMITED', retryAfter: 1 }],
    ])("Drata's %i never opens it, and breaks a run of 503s", async (code, message, extensions) => {
      const { up, drata, ask, stats } = await start();
      for (const [index, answered] of [503, code, 503, code, code, 503].entries()) {
        drata.answer = status(answered);
        const name = `call-${index}`;
        expect(await ask(name)).toEqual(
          answered === 503
            ? failing(name)
            : failed(message, {
                ...extensions,
                upstreamStatus: code,
                upstreamCode: 1,
                requestId: `req-${name}`,
              }),
        );
      }
      expect(up.requests).toHaveLength(6);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 0, breakerRejections: 0 });
    });

    it('attempt timeouts open it: Drata never sends headers', async () => {
      const { up, drata, ask, stats } = await start({ attemptTimeoutMs: 150 });
      drata.answer = 'hold';
      expect(await Promise.all([ask('a'), ask('b')])).toEqual([timedOut('a'), timedOut('b')]);
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 1, timeouts: 2 });
      expect(await ask('c')).toEqual(paused('c', 30));
      expect(up.requests).toHaveLength(2);
    });

    it('the call deadline ending an attempt opens it', async () => {
      // The deadline's timer starts before the attempt's, whose time is what the deadline leaves: the
      // deadline ends the attempt.
      const { up, drata, ask, stats } = await start({ timeoutMs: 150, attemptTimeoutMs: 10_000 });
      drata.answer = 'hold';
      expect(await Promise.all([ask('a'), ask('b')])).toEqual([timedOut('a'), timedOut('b')]);
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 1, timeouts: 2 });
      expect(await ask('c')).toEqual(paused('c', 30));
      expect(up.requests).toHaveLength(2);
    });

    it('refused connections open it', async () => {
      const server = createServer();
      const port = await listen(server);
      await close(server);
      const gw = await startGateway({
        baseUrl: new URL(`http://127.0.0.1:${port}/public`),
        resilience: settings,
        clock: createTestClock(),
      });
      gateway = gw;
      const ask = async (name: string) => (await graphql(gw.url, query, { headers: headers(name) })).body;
      for (const name of ['a', 'b']) {
        expect(await ask(name)).toEqual(
          failed('Drata could not be reached.', { code: 'UPSTREAM_UNAVAILABLE', requestId: `req-${name}` }),
        );
      }
      expect(await ask('c')).toEqual(paused('c', 30));
      expect(gw.gateway.upstream.stats).toMatchObject({
        breakerState: 'open',
        breakerOpened: 1,
        breakerRejections: 1,
        attempts: 2,
      });
    });
  });

  describe('results of attempts admitted under an earlier state', () => {
    it('a slow success admitted while closed does not close the open circuit: the cool-down still applies', async () => {
      const { up, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      const slow = ask('slow');
      await until(() => up.requests.length === 1, 'the slow call reaches Drata');
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      expect(stats.breakerState).toBe('open');
      drata.release('slow', page);
      expect(await slow).toEqual(ok);
      drata.answer = page;
      expect(await ask('early')).toEqual(paused('early', 30));
      expect(up.requests).toHaveLength(2);
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 1, breakerRejections: 1 });
      clock.advance(30_000);
      expect(await ask('probe')).toEqual(ok);
      expect(stats.breakerState).toBe('closed');
    });

    it('a late failure neither re-opens the circuit nor pushes its cool-down out', async () => {
      const { up, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      const slow = ask('slow');
      await until(() => up.requests.length === 1, 'the slow call reaches Drata');
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      clock.advance(20_000);
      drata.release('slow', status(503));
      expect(await slow).toEqual(failing('slow'));
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 1 });
      drata.answer = page;
      expect(await ask('early')).toEqual(paused('early', 10));
      clock.advance(10_000);
      expect(await ask('probe')).toEqual(ok);
      expect(up.requests).toHaveLength(3);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1 });
    });

    it('a late success while the probe is out leaves the decision to the probe', async () => {
      const { up, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      const slow = ask('slow');
      await until(() => up.requests.length === 1, 'the slow call reaches Drata');
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      clock.advance(30_000);
      drata.answer = 'hold';
      const probe = ask('probe');
      await until(() => up.requests.length === 3, 'the probe reaches Drata');
      drata.release('slow', page);
      expect(await slow).toEqual(ok);
      expect(stats.breakerState).toBe('half-open');
      expect(await ask('other')).toEqual(paused('other', 1));
      drata.release('probe', status(503));
      expect(await probe).toEqual(failing('probe'));
      expect(await ask('after')).toEqual(paused('after', 30));
      expect(up.requests).toHaveLength(3);
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 2, breakerRejections: 2 });
    });

    it('late results do not count toward the next opening once the circuit has closed again', async () => {
      const { up, clock, drata, ask, stats } = await start();
      const slowFailure = ask('slow-1');
      const slowSuccess = ask('slow-2');
      await until(() => up.requests.length === 2, 'the slow calls reach Drata');
      drata.answer = status(503);
      for (const name of ['a', 'b']) expect(await ask(name)).toEqual(failing(name));
      expect(stats.breakerState).toBe('open');
      clock.advance(30_000);
      drata.answer = page;
      expect(await ask('probe')).toEqual(ok);
      expect(stats.breakerState).toBe('closed');
      drata.answer = status(503);
      expect(await ask('c')).toEqual(failing('c'));
      drata.release('slow-1', status(503));
      expect(await slowFailure).toEqual(failing('slow-1'));
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1 });
      // Nor does a late success reset the run: the next failure is the second.
      drata.release('slow-2', page);
      expect(await slowSuccess).toEqual(ok);
      expect(await ask('d')).toEqual(failing('d'));
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 2, breakerRejections: 0 });
      expect(up.requests).toHaveLength(7);
    });
  });

  describe('half-open', () => {
    it('exactly one probe reaches Drata; concurrent calls fail at once; its success closes the circuit', async () => {
      const { up, gw, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      clock.advance(30_000);
      drata.answer = 'hold';
      // Three fields of one operation call Drata at the same moment.
      const many =
        '{ one: connections(page: { page: 1 }) { total } two: connections(page: { page: 2 }) { total } ' +
        'three: connections(page: { page: 3 }) { total } }';
      const together = graphql(gw.url, many, { headers: headers('many') });
      await until(() => up.requests.length >= 2, 'the probe reaches Drata');
      expect(await Promise.all(['x', 'y', 'z'].map(ask))).toEqual([
        paused('x', 1),
        paused('y', 1),
        paused('z', 1),
      ]);
      expect(up.requests.map((request) => request.url)).toEqual([
        '/public/connections?page=1&limit=20',
        '/public/connections?page=1&limit=20',
      ]);
      expect(stats).toMatchObject({ breakerState: 'half-open', breakerRejections: 5 });
      drata.release('many', page);
      const refused = (field: string) => ({
        message: pausedMessage,
        locations: [{ line: 1, column: many.indexOf(`${field}:`) + 1 }],
        path: [field],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfter: 1, requestId: 'req-many' },
      });
      expect((await together).body).toEqual({
        data: { one: { total: 1 }, two: null, three: null },
        errors: [refused('two'), refused('three')],
      });
      expect(up.requests).toHaveLength(2);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1, breakerRejections: 5 });
    });

    it('a failed probe opens the circuit again for a whole cool-down', async () => {
      const { up, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      clock.advance(30_000);
      expect(await ask('probe')).toEqual(failing('probe'));
      expect(stats).toMatchObject({ breakerState: 'open', breakerOpened: 2 });
      drata.answer = page;
      expect(await ask('early')).toEqual(paused('early', 30));
      clock.advance(29_999);
      expect(await ask('late')).toEqual(paused('late', 1));
      clock.advance(1);
      expect(await ask('next')).toEqual(ok);
      expect(up.requests).toHaveLength(3);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 2, breakerRejections: 2 });
    });

    it('a probe answered with an unreadable body does not keep it half-open: the next call probes', async () => {
      const { up, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      clock.advance(30_000);
      drata.answer = unreadable;
      expect(await ask('probe')).toEqual(
        failed("Drata's answer could not be read: the answer is not JSON.", {
          code: 'UPSTREAM_BAD_RESPONSE',
          upstreamStatus: 200,
          requestId: 'req-probe',
        }),
      );
      expect(stats.breakerState).toBe('half-open');
      drata.answer = page;
      expect(await ask('next')).toEqual(ok);
      expect(up.requests).toHaveLength(3);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1, breakerRejections: 0 });
    });

    it('a probe whose caller disconnects does not keep it half-open: the next call probes', async () => {
      const { up, gw, clock, drata, ask, stats } = await start({ breakerThreshold: 1 });
      drata.answer = status(503);
      expect(await ask('a')).toEqual(failing('a'));
      clock.advance(30_000);
      drata.answer = 'hold';
      const controller = new AbortController();
      const gone = fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers('leaving') },
        body: JSON.stringify({ query }),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await until(() => drata.held.length === 1, 'the probe reaches Drata');
      controller.abort();
      await gone;
      await up.closed(drata.held[0]!.request);
      await until(() => stats.inFlight === 0, 'the probe ends');
      expect(stats.breakerState).toBe('half-open');
      drata.answer = page;
      expect(await ask('next')).toEqual(ok);
      expect(up.requests).toHaveLength(3);
      expect(stats).toMatchObject({ breakerState: 'closed', breakerOpened: 1, breakerRejections: 0 });
    });
  });
});
