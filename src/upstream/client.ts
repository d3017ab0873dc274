import { Agent, request, type Dispatcher } from 'undici';
import {
  GatewayError,
  badResponse,
  cancelled,
  errorForStatus,
  errorForTransport,
  parseRetryAfter,
  unexpected,
  upstreamTimeout,
} from '../errors.js';
import type { Logger } from '../logger.js';
import {
  createCircuitBreaker,
  createConcurrencyLimiter,
  createRateLimiter,
  createRetryBudget,
  createStats,
  decideRetry,
  defaultResilience,
  gateOf,
  isRefusal,
  systemClock,
  type Clock,
  type Health,
  type RateGate,
  type ResilienceOptions,
  type UpstreamStats,
} from './policies.js';
import type { PageCache } from './cache.js';
import type { ConnectionPageDto } from './types.js';
import { asException, checkConnectionPage } from './validate.js';

/** How the gateway reaches Drata. One per process. */
export interface DrataTransportOptions {
  /** Drata's base URL, such as `https://public-api.drata.com/public`. */
  readonly baseUrl: URL;
  /** The `User-Agent` header of every call. */
  readonly userAgent: string;
  /** Deadlines, retries, breaker, rate limit, concurrency; unset fields take their defaults. */
  readonly resilience?: Partial<ResilienceOptions>;
  /** The connection pool to use; by default the transport makes and owns a keep-alive `Agent`. */
  readonly dispatcher?: Dispatcher;
  /** The clock, sleeps and jitter of the policies; the system's by default (tests inject their own). */
  readonly clock?: Clock;
  readonly logger: Logger;
  /** Told of every attempt sent to Drata (metrics, traces); nobody by default. */
  readonly observer?: UpstreamObserver;
  /**
   * The rate limit toward Drata, when it is not the process's own bucket of `rateLimitPerMinute`
   * (one shared through Redis).
   */
  readonly rateLimiter?: RateGate;
  /** Drata's checked pages kept per caller for a while; none by default. */
  readonly cache?: PageCache;
}

/** How one attempt sent to Drata ended: Drata's HTTP status, or why there was none. */
export type AttemptResult = number | 'timeout' | 'network' | 'cancelled';

/** One attempt about to be sent to Drata, as an {@link UpstreamObserver} sees it. */
export interface AttemptStart {
  /** 1 for the first attempt of a call, 2 for its first retry, and so on. */
  readonly attempt: number;
  readonly method: 'GET';
  /** The URL called, without credentials (the query holds only filters, sort and page). */
  readonly url: string;
  readonly requestId: string;
  /** The trace context of the operation that started the call, when tracing is on. */
  readonly parent?: unknown;
}

/** What an observer keeps of one attempt: headers to send with it, and its end. */
export interface AttemptObservation {
  /** Extra request headers, such as `traceparent`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called once, when the attempt ends, with how it ended. */
  end(result: AttemptResult): void;
}

/** Watches the attempts sent to Drata. It must not throw, and never sees the caller's credentials. */
export interface UpstreamObserver {
  attemptStarted(start: AttemptStart): AttemptObservation;
}

/** One observer made of several: every one is told, and their headers are merged. */
export function combineObservers(observers: readonly UpstreamObserver[]): UpstreamObserver {
  return {
    attemptStarted: (start) => {
      const observations = observers.map((observer) => observer.attemptStarted(start));
      return {
        headers: Object.assign({}, ...observations.map((observation) => observation.headers ?? {})) as Record<
          string,
          string
        >,
        end: (result) => {
          for (const observation of observations) observation.end(result);
        },
      };
    },
  };
}

/** Who a call is made for. Born with a GraphQL request and gone with it. */
export interface Caller {
  /** The caller's `Authorization` header, forwarded byte for byte. */
  readonly authorization: string;
  /** The token inside it, to scrub from anything Drata echoes. */
  readonly secret: string;
  readonly requestId: string;
  /** Aborts the call when the caller goes away. */
  readonly signal?: AbortSignal | undefined;
  /** The caller's trace context (opaque here), handed to the observer as each attempt's parent. */
  readonly trace?: unknown;
  /**
   * The caller asked for fresh answers (`Cache-Control: no-cache`): the cache is not read, and what
   * Drata answers replaces what it held.
   */
  readonly refresh?: boolean;
}

/** Drata's API as one caller sees it. */
export interface DrataClient {
  /**
   * `GET /connections?{query}`, with retries inside one deadline. Resolves with the checked page;
   * rejects with a {@link GatewayError} for every failure, `INTERNAL_SERVER_ERROR` ("Unexpected
   * error.") for one it cannot name, whose details go to the log only.
   */
  listConnections(query: string): Promise<ConnectionPageDto>;
}

/** The only HTTP client of Drata: binds callers to the process's connection pool and policies. */
export interface DrataTransport {
  /** A client that calls Drata with this caller's credentials. */
  forCaller(caller: Caller): DrataClient;
  /** What the transport has done so far: a live view, for metrics and tests. */
  readonly stats: Readonly<UpstreamStats>;
  /** The connection pool in use. */
  readonly dispatcher: Dispatcher;
  /** Closes the pool if the transport made it. */
  close(): Promise<void>;
}

const maxErrorBodyBytes = 64 * 1024;

type Body = Dispatcher.ResponseData['body'];

/** How one attempt ended, and what it tells the breaker and the retry policy. */
type Outcome =
  | { readonly ok: true; readonly page: ConnectionPageDto }
  | {
      readonly ok: false;
      readonly error: GatewayError;
      readonly retryable: boolean;
      /** Drata answered 429. */
      readonly rateLimited?: boolean;
      readonly retryAfterSeconds?: number | undefined;
    };

/** One exchange's outcome and what it says about Drata's health. */
interface Exchanged {
  readonly outcome: Outcome;
  readonly health: Health;
}

const retryableStatuses = new Set([429, 502, 503, 504]);

/** Reads a body up to `limit` bytes. Returns undefined, with the body destroyed, past the limit. */
async function readCapped(body: Body, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

const ignore = (): void => undefined;

/** Leaves a body that nobody will read: destroyed, its late abort error ignored. */
const discard = (body: Body): void => {
  body.on('error', ignore);
  body.destroy();
};

/**
 * `pending`, or a rejection with `signal`'s reason as soon as it aborts. A response that arrives after
 * the abort is discarded, so its socket is freed.
 */
function abortable(
  pending: Promise<Dispatcher.ResponseData>,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
      pending.then((late) => discard(late.body), ignore);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (response) => {
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const isAbortError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  ((error as { name?: unknown }).name === 'AbortError' ||
    (error as { code?: unknown }).code === 'UND_ERR_ABORTED');

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** The signals of one call: its deadline, and its cancellation (every caller waiting for it left). */
interface CallSignals {
  /** Aborts at the deadline or on cancellation: everything the call waits on listens to it. */
  readonly signal: AbortSignal;
  /** Aborts only when the call is cancelled. */
  readonly cancel: AbortSignal;
  /** When the deadline falls, on the clock's time. */
  readonly deadlineAt: number;
  /** The number of the attempt being made: 1, then 2 for the first retry, and so on. */
  attempt: number;
}

/** An identical call in flight, shared by every request that asks for it until it settles. */
interface SharedCall {
  readonly result: Promise<ConnectionPageDto>;
  readonly controller: AbortController;
  waiters: number;
}

/** Creates the transport: one keep-alive pool and one set of policies for the process. */
export function createDrataTransport(options: DrataTransportOptions): DrataTransport {
  const policy: ResilienceOptions = { ...defaultResilience, ...options.resilience };
  const clock = options.clock ?? systemClock;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({
      keepAliveTimeout: 10_000,
      connections: policy.maxConcurrency,
      connect: { timeout: policy.attemptTimeoutMs },
    });
  const base = options.baseUrl.href.replace(/\/+$/, '');
  const { logger } = options;
  const budget = createRetryBudget(policy, clock.now);
  const rateLimiter = options.rateLimiter ?? gateOf(createRateLimiter(policy, clock.now));
  const { cache } = options;
  const slots = createConcurrencyLimiter(policy);
  const stats = createStats(slots);
  const breaker = createCircuitBreaker(
    policy,
    (state) => {
      stats.breakerState = state;
      if (state === 'open') stats.breakerOpened += 1;
      logger.warn({ breaker: state }, `The circuit toward Drata is ${state}`);
    },
    clock.now,
  );
  /** Calls in flight by caller and request. The key holds the `Authorization` header: never log it. */
  const shared = new Map<string, SharedCall>();

  /**
   * One HTTP exchange with Drata. One timer bounds the whole attempt, from connecting to the last
   * byte of the body: the attempt timeout, or what is left of the deadline when that is sooner.
   */
  async function exchange(caller: Caller, query: string, call: CallSignals): Promise<Exchanged> {
    const { requestId } = caller;
    const url = `${base}/connections?${query}`;
    const observation = options.observer?.attemptStarted({
      attempt: call.attempt,
      method: 'GET',
      url,
      requestId,
      ...(caller.trace !== undefined ? { parent: caller.trace } : {}),
    });
    let result: AttemptResult = 'cancelled';
    const attemptMs = Math.max(1, Math.min(policy.attemptTimeoutMs, call.deadlineAt - clock.now()));
    // One controller for the attempt: its timer, or the call's end, aborts it.
    const attemptTimer = new AbortController();
    let timedOut = false as boolean;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptTimer.abort();
    }, attemptMs);
    const endWithCall = (): void => attemptTimer.abort(call.signal.reason);
    if (call.signal.aborted) endWithCall();
    else call.signal.addEventListener('abort', endWithCall, { once: true });
    const attemptSignal = attemptTimer.signal;
    let body: Body | undefined;
    try {
      stats.attempts += 1;
      // undici leaves a request that waits for a socket of its pool in the queue when its signal
      // aborts, so the wait is raced against the signal: the attempt ends at its timer regardless.
      const response = await abortable(
        request(url, {
          method: 'GET',
          dispatcher,
          signal: attemptSignal,
          // The attempt's timer is the bound; undici's own timeouts only back it up.
          headersTimeout: attemptMs,
          bodyTimeout: attemptMs,
          headers: {
            ...observation?.headers,
            authorization: caller.authorization,
            accept: 'application/json',
            'user-agent': options.userAgent,
            'x-request-id': requestId,
          },
        }),
        attemptSignal,
      );
      body = response.body;
      const { statusCode } = response;
      result = statusCode;
      if (statusCode < 200 || statusCode >= 300) {
        // An error body is read (to 64 KiB) for Drata's message; any other body is destroyed below.
        const text = statusCode >= 400 ? await readCapped(body, maxErrorBodyBytes) : undefined;
        const header = response.headers['retry-after'];
        const retryAfterSeconds = parseRetryAfter(Array.isArray(header) ? header[0] : header);
        const rateLimited = statusCode === 429;
        logger.warn({ requestId, upstreamStatus: statusCode }, 'Drata answered with an error status');
        const outcome: Outcome = {
          ok: false,
          error: errorForStatus({
            status: statusCode,
            body: text === undefined ? undefined : asException(parseJson(text)),
            // Without a readable Retry-After, a 429 tells the caller the least wait the gateway keeps.
            retryAfter: retryAfterSeconds ?? (rateLimited ? 1 : undefined),
            requestId,
            secret: caller.secret,
          }),
          retryable: retryableStatuses.has(statusCode),
          rateLimited,
          retryAfterSeconds,
        };
        return { outcome, health: statusCode >= 500 ? 'down' : 'up' };
      }
      const declared = Number(response.headers['content-length']);
      const text =
        declared > policy.maxResponseBytes ? undefined : await readCapped(body, policy.maxResponseBytes);
      const bad = (reason: string): Exchanged => ({
        outcome: { ok: false, error: badResponse(reason, requestId, statusCode), retryable: false },
        health: 'unknown',
      });
      if (text === undefined) return bad('the answer is too large');
      const json = parseJson(text);
      if (json === undefined) return bad('the answer is not JSON');
      const page = checkConnectionPage(json);
      if ('invalid' in page) {
        logger.warn({ requestId, problem: page.invalid }, 'Drata answered with an unexpected shape');
        return bad('the answer does not have the documented shape');
      }
      return { outcome: { ok: true, page }, health: 'up' };
    } catch (error) {
      // Cancelled: every caller left. That says nothing about Drata.
      if (call.cancel.aborted) throw error;
      // Out of time, by the attempt's timer or by the call's deadline: Drata was too slow.
      if (timedOut || call.signal.aborted) {
        logger.warn({ requestId, attemptMs }, 'Drata did not answer in time');
        result = 'timeout';
        return {
          outcome: { ok: false, error: upstreamTimeout(requestId), retryable: false },
          health: 'down',
        };
      }
      // An error after Drata's status (reading the body) keeps the status as the attempt's result.
      if (typeof result !== 'number') result = 'network';
      const typed = errorForTransport(error, requestId);
      logger.warn({ requestId, cause: (error as { code?: unknown }).code }, 'Calling Drata failed');
      if (!typed) throw error;
      return {
        outcome: { ok: false, error: typed, retryable: typed.code === 'UPSTREAM_UNAVAILABLE' },
        health: typed.code === 'UPSTREAM_BAD_RESPONSE' ? 'unknown' : 'down',
      };
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', endWithCall);
      observation?.end(result);
      // Every path leaves the body consumed or destroyed, so the socket goes back to the pool or away.
      if (body && !body.readableEnded) discard(body);
    }
  }

  /** `UPSTREAM_UNAVAILABLE` for an attempt the open circuit refused. */
  const circuitOpen = (requestId: string, ms: number): GatewayError => {
    stats.breakerRejections += 1;
    return new GatewayError(
      'UPSTREAM_UNAVAILABLE',
      'Drata is failing: calls to it are paused for a moment.',
      {
        retryAfter: seconds(ms),
        requestId,
      },
    );
  };

  /**
   * One attempt through the policies: a look at the breaker (an open circuit fails at once, before a
   * token is spent), the rate limit (a wait only when it leaves the attempt its full timeout), a
   * concurrency slot, the breaker's permit, then the exchange. A token not used for a request is given
   * back.
   */
  async function attempt(caller: Caller, query: string, call: CallSignals): Promise<Outcome> {
    const { requestId } = caller;
    const refusedFor = breaker.refusedFor();
    if (refusedFor > 0) throw circuitOpen(requestId, refusedFor);
    const room = call.deadlineAt - clock.now() - policy.attemptTimeoutMs;
    const answer = rateLimiter.reserve(Math.max(0, room));
    // The process's own bucket answers at once; only a shared one is waited for.
    const reservation = answer instanceof Promise ? await answer : answer;
    if (isRefusal(reservation)) {
      stats.rateLimitRejections += 1;
      throw new GatewayError('RATE_LIMITED', "The gateway's rate limit toward Drata was reached.", {
        retryAfter: seconds(reservation.refusedForMs),
        requestId,
      });
    }
    let sent = false;
    try {
      if (reservation.waitMs > 0) {
        stats.rateLimitWaits += 1;
        await clock.sleep(reservation.waitMs, call.signal);
      }
      const release = await slots.acquire(call.signal);
      if (!release) {
        stats.queueRejections += 1;
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'Too many calls to Drata are waiting already.', {
          requestId,
        });
      }
      try {
        // Cancelled or out of time while waiting for the slot: no permit is taken (it could be the
        // probe), nothing is sent, and the token goes back.
        call.signal.throwIfAborted();
        const permit = breaker.acquire();
        if (!permit) throw circuitOpen(requestId, breaker.refusedFor());
        let health: Health = 'unknown';
        try {
          sent = true;
          const result = await exchange(caller, query, call);
          health = result.health;
          return result.outcome;
        } finally {
          breaker.record(permit, health);
        }
      } finally {
        release();
      }
    } finally {
      if (!sent) reservation.refund();
    }
  }

  /** One call to Drata: attempts and retries within one deadline, until `cancel` aborts. */
  async function call(caller: Caller, query: string, cancel: AbortSignal): Promise<ConnectionPageDto> {
    const { requestId } = caller;
    stats.calls += 1;
    const deadlineAt = clock.now() + policy.timeoutMs;
    // One controller for the call: the deadline, or the cancellation, aborts it.
    const ended = new AbortController();
    let pastDeadline = false as boolean;
    const timer = setTimeout(() => {
      pastDeadline = true;
      ended.abort();
    }, policy.timeoutMs);
    const onCancel = (): void => ended.abort(cancel.reason);
    if (cancel.aborted) onCancel();
    else cancel.addEventListener('abort', onCancel, { once: true });
    const signals: CallSignals = {
      signal: ended.signal,
      cancel,
      deadlineAt,
      attempt: 1,
    };
    try {
      budget.deposit();
      for (let attempts = 1; ; attempts += 1) {
        signals.attempt = attempts;
        const outcome = await attempt(caller, query, signals);
        if (outcome.ok) return outcome.page;
        const decision = decideRetry(
          {
            attempt: attempts,
            retryable: outcome.retryable,
            rateLimited: outcome.rateLimited === true,
            retryAfterSeconds: outcome.retryAfterSeconds,
            remainingMs: deadlineAt - clock.now(),
            random: clock.random(),
          },
          policy,
        );
        if (!decision.retry) throw outcome.error;
        // A retry the circuit would refuse (this failure may have just opened it) is not made: the
        // caller hears Drata's own answer rather than the breaker's.
        if (breaker.refusedFor() > 0) throw outcome.error;
        if (!budget.tryWithdraw()) {
          stats.retriesDenied += 1;
          throw outcome.error;
        }
        stats.retries += 1;
        if (outcome.rateLimited === true || outcome.retryAfterSeconds !== undefined)
          stats.retryAfterWaits += 1;
        logger.debug(
          { requestId, attempt: attempts, delayMs: Math.round(decision.delayMs) },
          'Retrying Drata',
        );
        await clock.sleep(decision.delayMs, signals.signal);
      }
    } catch (error) {
      if (error instanceof GatewayError) {
        if (error.code === 'UPSTREAM_TIMEOUT') stats.timeouts += 1;
        throw error;
      }
      // Checked before the deadline: when the callers have left, nobody is waiting for a timeout.
      if (cancel.aborted || (isAbortError(error) && !pastDeadline)) {
        logger.debug({ requestId }, 'Every caller went away; the call to Drata was cancelled');
        throw cancelled(requestId);
      }
      if (pastDeadline) {
        stats.timeouts += 1;
        logger.warn({ requestId, timeoutMs: policy.timeoutMs }, 'Drata did not answer within the deadline');
        throw upstreamTimeout(requestId);
      }
      logger.error({ requestId, err: error }, 'Unexpected failure calling Drata');
      throw unexpected(requestId);
    } finally {
      clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
    }
  }

  /**
   * A caller's share of a call: the call's page, or its error stamped with this caller's request id.
   * A caller who goes away leaves at once; the call is cancelled when its last waiter leaves.
   */
  function join(key: string, entry: SharedCall, caller: Caller): Promise<ConnectionPageDto> {
    const { signal, requestId } = caller;
    entry.waiters += 1;
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        entry.waiters -= 1;
        logger.debug({ requestId, waiters: entry.waiters }, 'A caller left before its call to Drata ended');
        reject(cancelled(requestId));
        if (entry.waiters > 0) return;
        // Nobody waits any more: later callers start afresh rather than join a cancelled call.
        if (shared.get(key) === entry) shared.delete(key);
        entry.controller.abort();
      };
      if (signal?.aborted === true) {
        leave();
        return;
      }
      signal?.addEventListener('abort', leave, { once: true });
      entry.result.then(
        (page) => {
          signal?.removeEventListener('abort', leave);
          resolve(page);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', leave);
          // `call` rejects with GatewayErrors only.
          reject(error instanceof GatewayError ? error.forRequest(requestId) : unexpected(requestId));
        },
      );
    });
  }

  /**
   * `GET /connections?{query}` for `caller`. An identical call (same `Authorization`, same query) in
   * flight is joined instead of made again: before the rate limit and the queue, so a joiner spends
   * nothing. Calls are never shared across different `Authorization` values.
   */
  function listConnections(caller: Caller, query: string): Promise<ConnectionPageDto> {
    return cache ? cached(cache, caller, query) : coalesced(caller, query);
  }

  /**
   * `listConnections` through the cache: a page this caller was given for this query within the TTL
   * is given again; otherwise (or with `refresh`) the call is made, and a page it returns is kept.
   * Errors are never kept, and a cache that fails is passed by.
   */
  async function cached(store: PageCache, caller: Caller, query: string): Promise<ConnectionPageDto> {
    const hit = await store.get(caller.authorization, query, caller.refresh === true);
    return hit ?? coalesced(caller, query);
  }

  /** `listConnections` without the cache. */
  function coalesced(caller: Caller, query: string): Promise<ConnectionPageDto> {
    const key = `${caller.authorization}\n${query}`;
    const running = shared.get(key);
    if (running) {
      stats.coalesced += 1;
      return join(key, running, caller);
    }
    const controller = new AbortController();
    const entry: SharedCall = { result: call(caller, query, controller.signal), controller, waiters: 0 };
    // Settled calls leave the map at once; their waiters are told through `join`. A page is kept in
    // the cache once per call; an error never is.
    entry.result.then(
      (page) => {
        cache?.set(caller.authorization, query, page);
        return shared.get(key) === entry && shared.delete(key);
      },
      () => shared.get(key) === entry && shared.delete(key),
    );
    shared.set(key, entry);
    return join(key, entry, caller);
  }

  return {
    forCaller: (caller) => ({ listConnections: (query) => listConnections(caller, query) }),
    stats,
    dispatcher,
    close: async () => {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
