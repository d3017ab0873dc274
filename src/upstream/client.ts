import { Agent, request, type Dispatcher } from 'undici';
import {
  GatewayError,
  badResponse,
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
  sleep,
  type ResilienceOptions,
  type UpstreamStats,
} from './policies.js';
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
  readonly logger: Logger;
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
      readonly retryAfterSeconds?: number | undefined;
    };

/** What an attempt says about Drata's health. */
type Health = 'up' | 'down' | 'unknown';

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

/** Creates the transport: one keep-alive pool and one set of policies for the process. */
export function createDrataTransport(options: DrataTransportOptions): DrataTransport {
  const policy: ResilienceOptions = { ...defaultResilience, ...options.resilience };
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
  const stats = createStats();
  const budget = createRetryBudget(policy);
  const breaker = createCircuitBreaker(policy, (state) => {
    stats.breakerState = state;
    if (state === 'open') stats.breakerOpened += 1;
    logger.warn({ breaker: state }, `The circuit toward Drata is ${state}`);
  });
  const rateLimiter = createRateLimiter(policy);
  const slots = createConcurrencyLimiter(policy);

  /** One HTTP exchange with Drata, within `signal` and the attempt timeout. */
  async function exchange(
    caller: Caller,
    query: string,
    signal: AbortSignal,
    deadlineAt: number,
  ): Promise<Exchanged> {
    const { requestId } = caller;
    const attemptMs = Math.max(1, Math.min(policy.attemptTimeoutMs, deadlineAt - Date.now()));
    const attemptTimer = new AbortController();
    const timer = setTimeout(() => attemptTimer.abort(), attemptMs);
    const attemptSignal = AbortSignal.any([signal, attemptTimer.signal]);
    let body: Body | undefined;
    try {
      stats.attempts += 1;
      const response = await request(`${base}/connections?${query}`, {
        method: 'GET',
        dispatcher,
        signal: attemptSignal,
        headersTimeout: attemptMs,
        bodyTimeout: attemptMs,
        headers: {
          authorization: caller.authorization,
          accept: 'application/json',
          'user-agent': options.userAgent,
          'x-request-id': requestId,
        },
      });
      body = response.body;
      const { statusCode } = response;
      if (statusCode < 200 || statusCode >= 300) {
        const text = statusCode >= 400 ? await readCapped(body, maxErrorBodyBytes) : undefined;
        const header = response.headers['retry-after'];
        const retryAfterSeconds = parseRetryAfter(Array.isArray(header) ? header[0] : header);
        logger.warn({ requestId, upstreamStatus: statusCode }, 'Drata answered with an error status');
        const outcome: Outcome = {
          ok: false,
          error: errorForStatus({
            status: statusCode,
            body: text === undefined ? undefined : asException(parseJson(text)),
            retryAfter: retryAfterSeconds,
            requestId,
            secret: caller.secret,
          }),
          retryable: retryableStatuses.has(statusCode),
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
      if (signal.aborted) throw error;
      if (attemptTimer.signal.aborted) {
        logger.warn({ requestId, attemptMs }, 'Drata did not answer in time');
        return {
          outcome: { ok: false, error: upstreamTimeout(requestId), retryable: false },
          health: 'down',
        };
      }
      const typed = errorForTransport(error, requestId);
      logger.warn({ requestId, cause: (error as { code?: unknown }).code }, 'Calling Drata failed');
      if (!typed) throw error;
      return {
        outcome: { ok: false, error: typed, retryable: typed.code === 'UPSTREAM_UNAVAILABLE' },
        health: typed.code === 'UPSTREAM_BAD_RESPONSE' ? 'unknown' : 'down',
      };
    } finally {
      clearTimeout(timer);
      // Every path leaves the body consumed or destroyed, so the socket goes back to the pool or away.
      if (body && !body.readableEnded) {
        // A destroyed body reports an abort error: nothing waits for it any more.
        body.on('error', ignore);
        body.destroy();
      }
    }
  }

  /** One attempt through the policies: breaker, rate limit, a concurrency slot, then the exchange. */
  async function attempt(
    caller: Caller,
    query: string,
    signal: AbortSignal,
    deadlineAt: number,
  ): Promise<Outcome> {
    const { requestId } = caller;
    const closedIn = breaker.acquire();
    if (closedIn > 0) {
      stats.breakerRejections += 1;
      throw new GatewayError(
        'UPSTREAM_UNAVAILABLE',
        'Drata is failing: calls to it are paused for a moment.',
        {
          retryAfter: seconds(closedIn),
          requestId,
        },
      );
    }
    let health: Health = 'unknown';
    try {
      const wait = rateLimiter.reserve(deadlineAt - Date.now());
      if (wait === undefined) {
        stats.rateLimitRejections += 1;
        throw new GatewayError('RATE_LIMITED', "The gateway's rate limit toward Drata was reached.", {
          retryAfter: seconds(rateLimiter.nextFreeInMs),
          requestId,
        });
      }
      if (wait > 0) {
        stats.rateLimitWaits += 1;
        await sleep(wait, signal);
      }
      const release = await slots.acquire(signal);
      if (!release) {
        stats.queueRejections += 1;
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'Too many calls to Drata are waiting already.', {
          requestId,
        });
      }
      try {
        const result = await exchange(caller, query, signal, deadlineAt);
        health = result.health;
        return result.outcome;
      } finally {
        release();
      }
    } finally {
      if (health === 'up') breaker.recordSuccess();
      else if (health === 'down') breaker.recordFailure();
      else breaker.recordNeutral();
    }
  }

  async function call(caller: Caller, query: string): Promise<ConnectionPageDto> {
    const { requestId } = caller;
    stats.calls += 1;
    const deadlineAt = Date.now() + policy.timeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
    const signal = caller.signal ? AbortSignal.any([deadline.signal, caller.signal]) : deadline.signal;
    try {
      budget.deposit();
      for (let attempts = 1; ; attempts += 1) {
        const outcome = await attempt(caller, query, signal, deadlineAt);
        if (outcome.ok) return outcome.page;
        const decision = decideRetry(
          {
            attempt: attempts,
            retryable: outcome.retryable,
            retryAfterSeconds: outcome.retryAfterSeconds,
            remainingMs: deadlineAt - Date.now(),
            random: Math.random(),
          },
          policy,
        );
        if (!decision.retry) throw outcome.error;
        if (!budget.tryWithdraw()) {
          stats.retriesDenied += 1;
          throw outcome.error;
        }
        stats.retries += 1;
        if (outcome.retryAfterSeconds !== undefined) stats.retryAfterWaits += 1;
        logger.debug(
          { requestId, attempt: attempts, delayMs: Math.round(decision.delayMs) },
          'Retrying Drata',
        );
        await sleep(decision.delayMs, signal);
      }
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (deadline.signal.aborted) {
        stats.timeouts += 1;
        logger.warn({ requestId, timeoutMs: policy.timeoutMs }, 'Drata did not answer within the deadline');
        throw upstreamTimeout(requestId);
      }
      // Aborted, but not by the deadline: the caller went away. Checked on the error too, since the
      // server's request signal does not always reach the combined one before the error does.
      if (signal.aborted || caller.signal?.aborted === true || isAbortError(error)) {
        logger.debug({ requestId }, 'The caller went away; the call to Drata was cancelled');
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'The request was cancelled.', { requestId });
      }
      logger.error({ requestId, err: error }, 'Unexpected failure calling Drata');
      throw unexpected(requestId);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    forCaller: (caller) => ({ listConnections: (query) => call(caller, query) }),
    stats,
    dispatcher,
    close: async () => {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
