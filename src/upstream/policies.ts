/**
 * The policies that keep calls to Drata correct and calm: retries with backoff, a process-wide retry
 * budget, a circuit breaker, a client-side rate limit and a concurrency cap with a bounded queue.
 * Each is small, synchronous where it can be, and takes the clock and the random source as inputs so
 * that tests can drive it.
 */

/** How the gateway calls Drata when Drata misbehaves. Every field has a production default. */
export interface ResilienceOptions {
  /** The deadline of a whole call, retries and waits included (ms). */
  readonly timeoutMs: number;
  /** The timeout of one attempt, for headers and again for the body (ms). */
  readonly attemptTimeoutMs: number;
  /** Attempts per call, the first included (at most 3). */
  readonly maxAttempts: number;
  /** The backoff base: retry n waits a random time in [0, min(cap, base × 2^n)] (ms). */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Retries may be at most this share of first attempts, process-wide. */
  readonly retryBudgetRatio: number;
  /** ...plus this many retries per second, however few calls there are. */
  readonly retryBudgetMinPerSecond: number;
  /** Consecutive failures (connection errors, timeouts, 5xx) that open the circuit. */
  readonly breakerThreshold: number;
  /** How long an open circuit fails calls at once before one probe may pass (ms). */
  readonly breakerCooldownMs: number;
  /** Requests per minute toward Drata, process-wide; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Requests in flight toward Drata at once. */
  readonly maxConcurrency: number;
  /** Calls that may wait for a free slot; past it a call fails at once. */
  readonly maxQueue: number;
  /** The largest answer body accepted (bytes). */
  readonly maxResponseBytes: number;
}

export const defaultResilience: ResilienceOptions = {
  timeoutMs: 15_000,
  attemptTimeoutMs: 10_000,
  maxAttempts: 3,
  backoffBaseMs: 100,
  backoffCapMs: 2_000,
  retryBudgetRatio: 0.1,
  retryBudgetMinPerSecond: 1,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  rateLimitPerMinute: 400,
  maxConcurrency: 16,
  maxQueue: 100,
  maxResponseBytes: 5 * 1024 * 1024,
};

/** What the retry policy knows after a failed attempt. */
export interface RetryInput {
  /** Attempts made so far (1 after the first). */
  readonly attempt: number;
  /** Whether the failure may be retried at all (by its kind, see `isRetryable`). */
  readonly retryable: boolean;
  /** Drata's `Retry-After` in seconds, when it sent a readable one. */
  readonly retryAfterSeconds: number | undefined;
  /** What is left of the call's deadline (ms). */
  readonly remainingMs: number;
  /** A number in [0, 1). */
  readonly random: number;
}

/** The retry policy's answer: wait and retry, or stop (and why). */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'not-retryable' | 'attempts' | 'deadline' | 'retry-after' };

/**
 * Decides whether and when to retry. Full-jitter exponential backoff: retry n (from 0) waits
 * `random × min(cap, base × 2^n)`. A `Retry-After` replaces the backoff with that wait plus up to
 * `base` of jitter, and when that does not fit in the deadline the call stops (`retry-after`) so the
 * caller hears `RATE_LIMITED` at once. Never more than `maxAttempts` attempts; never a wait past the
 * deadline.
 */
export function decideRetry(
  input: RetryInput,
  options: Pick<ResilienceOptions, 'maxAttempts' | 'backoffBaseMs' | 'backoffCapMs'>,
): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not-retryable' };
  if (input.attempt >= Math.min(3, options.maxAttempts)) return { retry: false, reason: 'attempts' };
  if (input.retryAfterSeconds !== undefined) {
    const delayMs = input.retryAfterSeconds * 1000 + input.random * options.backoffBaseMs;
    return delayMs < input.remainingMs ? { retry: true, delayMs } : { retry: false, reason: 'retry-after' };
  }
  const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (input.attempt - 1));
  const delayMs = input.random * ceiling;
  return delayMs < input.remainingMs ? { retry: true, delayMs } : { retry: false, reason: 'deadline' };
}

/**
 * A process-wide retry budget: each first attempt deposits `ratio` of a retry, time deposits
 * `minPerSecond`, and each retry withdraws one. Deposits are capped so that a quiet hour does not
 * bank a storm.
 */
export interface RetryBudget {
  /** Notes a first attempt. */
  deposit(): void;
  /** Takes one retry if the budget holds one; returns whether it did. */
  tryWithdraw(): boolean;
}

export function createRetryBudget(
  options: Pick<ResilienceOptions, 'retryBudgetRatio' | 'retryBudgetMinPerSecond'>,
  now: () => number = Date.now,
): RetryBudget {
  const cap = Math.max(1, options.retryBudgetMinPerSecond * 10);
  let balance = 0;
  let refilledAt = now();
  const refill = (): void => {
    const time = now();
    balance = Math.min(cap, balance + ((time - refilledAt) / 1000) * options.retryBudgetMinPerSecond);
    refilledAt = time;
  };
  return {
    deposit: () => {
      refill();
      balance = Math.min(cap + options.retryBudgetRatio, balance + options.retryBudgetRatio);
    },
    tryWithdraw: () => {
      refill();
      // Tolerance for the sum of many fractional deposits (ten times 0.1 is 0.9999999999999999).
      if (balance < 1 - 1e-9) return false;
      balance -= 1;
      return true;
    },
  };
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A circuit breaker over consecutive failures. */
export interface CircuitBreaker {
  /**
   * Asks to make an attempt. Returns 0 when it may go (in half-open state, only the one probe may),
   * else the milliseconds until the circuit lets a probe through.
   */
  acquire(): number;
  /** The attempt reached Drata and Drata answered (any 2xx-4xx): the circuit closes. */
  recordSuccess(): void;
  /** The attempt failed (connection error, timeout, 5xx). */
  recordFailure(): void;
  /** The attempt ended without telling anything about Drata's health (cancelled, unreadable). */
  recordNeutral(): void;
  readonly state: BreakerState;
}

export function createCircuitBreaker(
  options: Pick<ResilienceOptions, 'breakerThreshold' | 'breakerCooldownMs'>,
  onChange: (state: BreakerState) => void = () => undefined,
  now: () => number = Date.now,
): CircuitBreaker {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;
  const set = (next: BreakerState): void => {
    if (next === state) return;
    state = next;
    onChange(next);
  };
  const open = (): void => {
    openedAt = now();
    probing = false;
    set('open');
  };
  return {
    acquire: () => {
      if (state === 'closed') return 0;
      const left = openedAt + options.breakerCooldownMs - now();
      if (state === 'open' && left > 0) return left;
      if (state === 'open') set('half-open');
      if (probing) return Math.max(1, left);
      probing = true;
      return 0;
    },
    recordSuccess: () => {
      failures = 0;
      probing = false;
      set('closed');
    },
    recordFailure: () => {
      failures += 1;
      if (state === 'half-open' || failures >= options.breakerThreshold) open();
    },
    recordNeutral: () => {
      if (state === 'half-open') probing = false;
    },
    get state() {
      return state;
    },
  };
}

/** A process-wide token bucket toward Drata. */
export interface RateLimiter {
  /**
   * Reserves one request. Returns the milliseconds to wait before sending it (0 when it may go now),
   * or `undefined`, reserving nothing, when that wait would exceed `maxWaitMs`.
   */
  reserve(maxWaitMs: number): number | undefined;
  /** The wait a reservation would have now (ms), for `Retry-After`. */
  readonly nextFreeInMs: number;
}

export function createRateLimiter(
  options: Pick<ResilienceOptions, 'rateLimitPerMinute'>,
  now: () => number = Date.now,
): RateLimiter {
  const perMs = options.rateLimitPerMinute / 60_000;
  // A burst of five seconds' worth, so that a page of aliases does not queue behind itself.
  const capacity = Math.max(1, Math.round(options.rateLimitPerMinute / 12));
  let tokens = capacity;
  let refilledAt = now();
  const refill = (): void => {
    const time = now();
    tokens = Math.min(capacity, tokens + (time - refilledAt) * perMs);
    refilledAt = time;
  };
  const waitFor = (): number => (tokens >= 1 ? 0 : (1 - tokens) / perMs);
  return {
    reserve: (maxWaitMs) => {
      if (options.rateLimitPerMinute <= 0) return 0;
      refill();
      const wait = waitFor();
      if (wait > maxWaitMs) return undefined;
      tokens -= 1;
      return wait;
    },
    get nextFreeInMs() {
      if (options.rateLimitPerMinute <= 0) return 0;
      refill();
      return waitFor();
    },
  };
}

/** A cap on requests in flight, with a bounded FIFO queue of waiters. */
export interface ConcurrencyLimiter {
  /**
   * Waits for a slot. Resolves with the function that frees it; resolves `undefined` at once when the
   * queue is full. Rejects with `signal`'s reason if it aborts while waiting.
   */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined>;
  readonly inFlight: number;
  readonly queued: number;
}

export function createConcurrencyLimiter(
  options: Pick<ResilienceOptions, 'maxConcurrency' | 'maxQueue'>,
): ConcurrencyLimiter {
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const release = (): void => {
    const next = waiters.shift();
    if (next) next();
    else inFlight -= 1;
  };
  const once = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
  return {
    acquire: (signal) => {
      if (inFlight < options.maxConcurrency) {
        inFlight += 1;
        return Promise.resolve(once());
      }
      if (waiters.length >= options.maxQueue) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(once());
        };
        const onAbort = (): void => {
          const index = waiters.indexOf(wake);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(wake);
      });
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return waiters.length;
    },
  };
}

/** Resolves after `ms`, or rejects with `signal`'s reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Counters of what the transport did, kept in one place for metrics. */
export interface UpstreamStats {
  /** Calls made (one per distinct request in an operation). */
  calls: number;
  /** HTTP requests sent to Drata, retries included. */
  attempts: number;
  retries: number;
  /** Retries refused because the retry budget was empty. */
  retriesDenied: number;
  /** Waits for a `Retry-After`. */
  retryAfterWaits: number;
  /** Times the circuit opened. */
  breakerOpened: number;
  /** Calls failed at once by an open circuit. */
  breakerRejections: number;
  breakerState: BreakerState;
  /** Calls that waited for the client-side rate limit, and calls it refused. */
  rateLimitWaits: number;
  rateLimitRejections: number;
  /** Calls refused because the queue was full. */
  queueRejections: number;
  /** Calls that ran out of their deadline. */
  timeouts: number;
}

export const createStats = (): UpstreamStats => ({
  calls: 0,
  attempts: 0,
  retries: 0,
  retriesDenied: 0,
  retryAfterWaits: 0,
  breakerOpened: 0,
  breakerRejections: 0,
  breakerState: 'closed',
  rateLimitWaits: 0,
  rateLimitRejections: 0,
  queueRejections: 0,
  timeouts: 0,
});
