import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock, ResilienceOptions } from '../src/upstream/policies.js';
import {
  aliasOf,
  createTestClock,
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  until,
  type GraphQLAnswer,
  type RecordedRequest,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';

type Body = GraphQLAnswer['body'];

/** How the test upstream answers one request. */
type Answer = (recorded: RecordedRequest, response: ServerResponse) => void;

/** A request the upstream received: held until the gate opens, answered at once after that. */
interface Arrival {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly recorded: RecordedRequest;
}

const tokenOf = (recorded: RecordedRequest): string =>
  (recorded.headers['authorization'] ?? '').replace(/^Bearer /, '');

// Drata answers every token with data of its own (the alias is the token's, the id the page), so an
// answer served to the wrong caller, or for the wrong page, shows in the body.
const ownData: Answer = (recorded, response) => {
  const page = Number(new URL(recorded.url, 'http://drata.test').searchParams.get('page'));
  sendJson(
    response,
    200,
    drataPage([drataItem({ id: page, clientAlias: aliasOf(tokenOf(recorded)) })], page),
  );
};

const forbidden: Answer = (_recorded, response) =>
  sendJson(response, 403, { statusCode: 403, message: 'no', code: 1 });

const pageQuery = (page = 1): string =>
  `{ connections(page: { page: ${page} }) { page total nodes { id clientAlias } } }`;

/** What a caller with `token` must be served for `page`. */
const served = (token: string, page = 1): Body => ({
  data: { connections: { page, total: 1, nodes: [{ id: String(page), clientAlias: aliasOf(token) }] } },
});

const failed = (message: string, extensions: Record<string, unknown>) => ({
  data: { connections: null },
  errors: [{ message, locations: [{ line: 1, column: 3 }], path: ['connections'], extensions }],
});

const caller = (token: string, requestId: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'x-request-id': requestId,
});

let upstream: TestUpstream | undefined;
let gateway: RunningGateway | undefined;
afterEach(async () => {
  // The upstream first: requests it still holds fail at once, so the gateway's pool closes without
  // waiting for them.
  await upstream?.close();
  await gateway?.close();
  gateway = undefined;
  upstream = undefined;
});

/**
 * Starts an upstream that holds every request at a gate until the test opens it (then answers them
 * with `answer`, and every later request at once), and a gateway in front of it.
 */
async function setup(
  answer: Answer = ownData,
  options: { resilience?: Partial<ResilienceOptions>; clock?: Clock } = {},
) {
  const arrivals: Arrival[] = [];
  let opened = false;
  const up = await startUpstream((request, response, recorded) => {
    arrivals.push({ request, response, recorded });
    if (opened) answer(recorded, response);
  });
  upstream = up;
  const gw = await startGateway({
    baseUrl: up.baseUrl,
    ...options,
    // Deadlines longer than any test: a held call ends when the test releases it or its callers
    // leave, never by running out of time.
    resilience: { timeoutMs: 60_000, attemptTimeoutMs: 60_000, ...options.resilience },
  });
  gateway = gw;
  const { stats } = gw.gateway.upstream;
  return {
    upstream: up,
    gateway: gw,
    stats,
    arrivals,
    open: (): void => {
      opened = true;
      for (const { recorded, response } of arrivals) answer(recorded, response);
    },
    /**
     * Resolves once `count` requests have reached the transport, each making a call or joining one,
     * and every call holding a connection slot has reached the upstream.
     */
    arrived: (count: number): Promise<void> =>
      until(
        () => stats.calls + stats.coalesced === count && arrivals.length === stats.inFlight,
        `${count} requests reached the transport and their calls the upstream`,
        15_000,
      ),
  };
}

/** Sends a query as a client that may go away: the answer's body, or 'aborted' once it went away. */
async function send(
  url: string,
  query: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Body | 'aborted'> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query }),
      signal,
    });
    return (await response.json()) as Body;
  } catch (error) {
    if (signal.aborted) return 'aborted';
    throw error;
  }
}

/** Callers who left a call to Drata before it ended, as the gateway logged them (at debug level). */
const callersLeft = (logs: readonly string[]): number =>
  logs.filter(
    (line) => (JSON.parse(line) as { msg?: unknown }).msg === 'A caller left before its call to Drata ended',
  ).length;

const errorLines = (logs: readonly string[]): string[] =>
  logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

describe('identical calls in flight are shared per token', () => {
  it.each([
    ['without a client-side rate limit', {}],
    ['under the default client-side rate limit', { rateLimitPerMinute: 400 }],
  ] as [string, Partial<ResilienceOptions>][])(
    '300 interleaved requests of two tokens, %s: two upstream calls, each caller served its own data',
    async (_name, resilience) => {
      const { gateway: gw, upstream: up, stats, open, arrived } = await setup(ownData, { resilience });
      const tokens = Array.from({ length: 300 }, (_, index) => (index % 2 === 0 ? 'alice-key' : 'bob-key'));
      const answers = Promise.all(
        tokens.map((token, index) =>
          graphql(gw.url, pageQuery(), { headers: caller(token, `req-${index}`) }),
        ),
      );
      await arrived(300);
      open();
      const bodies = (await answers).map((answer) => answer.body);
      expect(bodies).toEqual(tokens.map((token) => served(token)));
      expect(
        up.requests
          .map((request) => ({ url: request.url, authorization: request.headers['authorization'] }))
          .sort((a, b) => String(a.authorization).localeCompare(String(b.authorization))),
      ).toEqual([
        { url: '/public/connections?page=1&limit=20', authorization: 'Bearer alice-key' },
        { url: '/public/connections?page=1&limit=20', authorization: 'Bearer bob-key' },
      ]);
      expect(stats).toMatchObject({ calls: 2, coalesced: 298, attempts: 2, rateLimitRejections: 0 });
    },
  );

  it('two tokens asking for the same page never share a call', async () => {
    const { gateway: gw, upstream: up, open, arrived } = await setup();
    const answers = Promise.all([
      graphql(gw.url, pageQuery(), { headers: caller('alice-key', 'req-a') }),
      graphql(gw.url, pageQuery(), { headers: caller('bob-key', 'req-b') }),
    ]);
    await arrived(2);
    open();
    expect((await answers).map((answer) => answer.body)).toEqual([served('alice-key'), served('bob-key')]);
    expect(up.requests.map((request) => request.headers['authorization']).sort()).toEqual([
      'Bearer alice-key',
      'Bearer bob-key',
    ]);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 2, coalesced: 0 });
  });

  it('one token asking for different pages makes a call per page', async () => {
    const { gateway: gw, upstream: up, open, arrived } = await setup();
    const answers = Promise.all([
      graphql(gw.url, pageQuery(1), { headers: caller('alice-key', 'req-1') }),
      graphql(gw.url, pageQuery(2), { headers: caller('alice-key', 'req-2') }),
    ]);
    await arrived(2);
    open();
    expect((await answers).map((answer) => answer.body)).toEqual([
      served('alice-key', 1),
      served('alice-key', 2),
    ]);
    expect(up.requests.map((request) => request.url).sort()).toEqual([
      '/public/connections?page=1&limit=20',
      '/public/connections?page=2&limit=20',
    ]);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 2, coalesced: 0 });
  });

  it('the same request in other words (filter values reordered and repeated) shares the call', async () => {
    const { gateway: gw, upstream: up, open, arrived } = await setup();
    const filtered = (types: string): string =>
      `{ connections(filter: { providerTypes: [${types}] }) { page total nodes { id clientAlias } } }`;
    const answers = Promise.all([
      graphql(gw.url, filtered('INFRASTRUCTURE, IDENTITY'), { headers: caller('alice-key', 'req-1') }),
      graphql(gw.url, filtered('IDENTITY, INFRASTRUCTURE, IDENTITY'), {
        headers: caller('alice-key', 'req-2'),
      }),
    ]);
    await arrived(2);
    open();
    expect((await answers).map((answer) => answer.body)).toEqual([served('alice-key'), served('alice-key')]);
    expect(up.requests.map((request) => request.url)).toEqual([
      '/public/connections?page=1&limit=20&providerTypes=IDENTITY&providerTypes=INFRASTRUCTURE',
    ]);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 1, coalesced: 1 });
  });

  it("a shared call's error reaches every waiter with the waiter's own request id", async () => {
    const { gateway: gw, upstream: up, open, arrived } = await setup(forbidden);
    const ids = ['req-1', 'req-2', 'req-3'];
    const answers = Promise.all(
      ids.map((id) => graphql(gw.url, pageQuery(), { headers: caller('alice-key', id) })),
    );
    await arrived(3);
    open();
    expect((await answers).map((answer) => answer.body)).toEqual(
      ids.map((requestId) =>
        failed('The API key is not allowed to list connections (HTTP 403): no', {
          code: 'FORBIDDEN',
          upstreamStatus: 403,
          upstreamCode: 1,
          requestId,
        }),
      ),
    );
    expect(up.requests).toHaveLength(1);
    expect(gw.gateway.upstream.stats).toMatchObject({ calls: 1, coalesced: 2 });
  });
});

describe('callers who go away', () => {
  it('one of three waiters leaving cancels its share only: the others are served by the same upstream request', async () => {
    const { gateway: gw, upstream: up, stats, arrivals, open, arrived } = await setup();
    const controllers = [0, 1, 2].map(() => new AbortController());
    const answers = Promise.all(
      controllers.map((controller, index) =>
        send(gw.url, pageQuery(), caller('alice-key', `req-${index}`), controller.signal),
      ),
    );
    await arrived(3);
    controllers[1]!.abort();
    await until(() => callersLeft(gw.logs) === 1, 'the gateway let the caller who left go');
    const closedBeforeAnswer = arrivals.map((arrival) => arrival.request.socket.destroyed);
    open();
    expect(await answers).toEqual([served('alice-key'), 'aborted', served('alice-key')]);
    // Drata's request stayed open until it was answered: nothing cancelled it.
    expect(closedBeforeAnswer).toEqual([false]);
    expect(up.requests).toHaveLength(1);
    expect(stats).toMatchObject({ calls: 1, coalesced: 2, attempts: 1 });
    expect(errorLines(gw.logs)).toEqual([]);
  });

  it('when every waiter leaves, the upstream request is cancelled and a later request starts afresh', async () => {
    const { gateway: gw, upstream: up, stats, arrivals, open, arrived } = await setup();
    const controllers = [0, 1].map(() => new AbortController());
    const answers = Promise.all(
      controllers.map((controller, index) =>
        send(gw.url, pageQuery(), caller('alice-key', `req-${index}`), controller.signal),
      ),
    );
    await arrived(2);
    for (const controller of controllers) controller.abort();
    let closed = false;
    void up.closed(arrivals[0]!.request).then(() => (closed = true));
    await until(() => closed, "Drata's request was cancelled");
    expect(await answers).toEqual(['aborted', 'aborted']);
    await until(() => stats.inFlight === 0, 'the cancelled call gave its connection slot back');
    open();
    const later = await graphql(gw.url, pageQuery(), { headers: caller('alice-key', 'req-later') });
    expect(later.body).toEqual(served('alice-key'));
    expect(up.requests).toHaveLength(2);
    expect(stats).toMatchObject({ calls: 2, coalesced: 1, attempts: 2, timeouts: 0 });
    // Callers going away is ordinary: nothing is logged as an error.
    expect(errorLines(gw.logs)).toEqual([]);
  });

  it('a call still winding down after its callers left is never joined; the call that replaces it is', async () => {
    // Sleeps here last until the test wakes them, a cancelled one too: a cancelled call stays in
    // flight (in its rate-limit wait) while later requests arrive.
    const sleepers: { readonly signal: AbortSignal; readonly end: () => void }[] = [];
    let awake = false;
    const clock: Clock = {
      now: () => 0,
      random: () => 0.5,
      sleep: (_ms, signal) =>
        new Promise<void>((resolve, reject) => {
          const end = (): void => (signal.aborted ? reject(signal.reason as Error) : resolve());
          sleepers.push({ signal, end });
          if (awake) end();
        }),
    };
    // A burst of 5, then a token a second (on a clock that stands still), with room to wait for it.
    const {
      gateway: gw,
      upstream: up,
      stats,
      open,
    } = await setup(ownData, {
      resilience: { rateLimitPerMinute: 60, attemptTimeoutMs: 2000 },
      clock,
    });
    open();
    // Other pages spend the burst, so the next call has to wait for a token.
    for (const page of [2, 3, 4, 5, 6]) {
      const answer = await graphql(gw.url, pageQuery(page), { headers: caller('alice-key', `req-${page}`) });
      expect(answer.body).toEqual(served('alice-key', page));
    }
    const controller = new AbortController();
    const first = send(gw.url, pageQuery(), caller('alice-key', 'req-first'), controller.signal);
    await until(() => sleepers.length === 1, 'the call waits for a rate-limit token');
    controller.abort();
    await until(() => sleepers[0]!.signal.aborted, 'the call was cancelled');
    expect(await first).toBe('aborted');
    const second = graphql(gw.url, pageQuery(), { headers: caller('alice-key', 'req-second') });
    await until(() => stats.calls + stats.coalesced === 7, 'the second request reached the transport');
    // The cancelled call ends while the second request's call is still waiting.
    sleepers[0]!.end();
    await until(
      () => gw.logs.some((line) => line.includes('Every caller went away; the call to Drata was cancelled')),
      'the cancelled call ended',
    );
    const third = graphql(gw.url, pageQuery(), { headers: caller('alice-key', 'req-third') });
    await until(() => stats.calls + stats.coalesced === 8, 'the third request reached the transport');
    awake = true;
    for (const sleeper of sleepers) sleeper.end();
    expect([(await second).body, (await third).body]).toEqual([served('alice-key'), served('alice-key')]);
    expect(up.requests.map((request) => request.url)).toEqual([
      ...[2, 3, 4, 5, 6].map((page) => `/public/connections?page=${page}&limit=20`),
      '/public/connections?page=1&limit=20',
    ]);
    expect(stats).toMatchObject({ calls: 7, coalesced: 1, rateLimitWaits: 2, rateLimitRejections: 0 });
  });
});

describe('the client-side rate limit', () => {
  it('a caller who joins a call spends no rate-limit token', async () => {
    // 60 a minute: a burst of 5 tokens, on a clock that stands still so that none comes back. A call
    // that would have to wait is refused at once (the deadline leaves no room for a wait).
    const clock = createTestClock();
    const {
      gateway: gw,
      upstream: up,
      stats,
      open,
      arrived,
    } = await setup(ownData, {
      resilience: { rateLimitPerMinute: 60 },
      clock,
    });
    const answers = Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        graphql(gw.url, pageQuery(), { headers: caller('alice-key', `req-${index}`) }),
      ),
    );
    await arrived(20);
    open();
    expect((await answers).map((answer) => answer.body)).toEqual(
      Array.from({ length: 20 }, () => served('alice-key')),
    );
    expect(up.requests).toHaveLength(1);
    expect(stats).toMatchObject({ calls: 1, coalesced: 19, rateLimitRejections: 0, rateLimitWaits: 0 });
    // Four tokens are left: four more calls pass without waiting, and the fifth is refused.
    const more = await Promise.all(
      [2, 3, 4, 5].map((page) =>
        graphql(gw.url, pageQuery(page), { headers: caller('alice-key', `req-page-${page}`) }),
      ),
    );
    expect(more.map((answer) => answer.body)).toEqual([2, 3, 4, 5].map((page) => served('alice-key', page)));
    expect(clock.sleeps).toEqual([]);
    const refused = await graphql(gw.url, pageQuery(6), { headers: caller('alice-key', 'req-page-6') });
    expect(refused.body).toEqual(
      failed("The gateway's rate limit toward Drata was reached.", {
        code: 'RATE_LIMITED',
        retryAfter: 1,
        requestId: 'req-page-6',
      }),
    );
    expect(up.requests).toHaveLength(5);
    expect(stats).toMatchObject({ calls: 6, coalesced: 19, rateLimitRejections: 1, rateLimitWaits: 0 });
  });
});
