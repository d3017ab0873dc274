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
  /** The timeout of one attempt: one timer from connecting to the body's last byte (ms). */
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

/** Time as the policies see it: injected so that tests can drive it. */
export interface Clock {
  /** Milliseconds since some fixed point, as `Date.now()`. */
  readonly now: () => number;
  /** Resolves after `ms`, or rejects with `signal`'s reason when it aborts first (or has already). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A number in [0, 1), for jitter. */
  readonly random: () => number;
}

/** What the retry policy knows after a failed attempt. */
export interface RetryInput {
  /** Attempts made so far (1 after the first). */
  readonly attempt: number;
  /** Whether the failure may be retried at all (by its kind, see `isRetryable`). */
  readonly retryable: boolean;
  /** Whether Drata answered 429 (a rate limit), with or without a `Retry-After`. */
  readonly rateLimited?: boolean;
  /** Drata's `Retry-After` in seconds, when it sent a readable one. */
  readonly retryAfterSeconds: number | undefined;
  /** What is left of the call's deadline (ms). */
  readonly remainingMs: number;
  /** A number in [0, 1). */
  readonly random: number;
}

/** The least a 429 without a readable `Retry-After` waits before its retry (ms). */
export const rateLimitedMinDelayMs = 1000;

/** The retry policy's answer: wait and retry, or stop (and why). */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'not-retryable' | 'attempts' | 'deadline' | 'retry-after' };

/**
 * Decides whether and when to retry. Full-jitter exponential backoff: retry n (from 0) waits
 * `random × min(cap, base × 2^n)`. A `Retry-After` replaces the backoff with that wait plus up to
 * `base` of jitter; a 429 without one waits at least {@link rateLimitedMinDelayMs} plus the backoff.
 * When a rate limit's wait does not fit in the deadline the call stops (`retry-after`) so the caller
 * hears `RATE_LIMITED` at once. Never more than `maxAttempts` attempts; never a wait past the deadline.
 */
export function decideRetry(
  input: RetryInput,
  options: Pick<ResilienceOptions, 'maxAttempts' | 'backoffBaseMs' | 'backoffCapMs'>,
): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not-retryable' };
  if (input.attempt >= Math.min(3, options.maxAttempts)) return { retry: false, reason: 'attempts' };
  const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (input.attempt - 1));
  let delayMs = input.random * ceiling;
  if (input.retryAfterSeconds !== undefined) {
    delayMs = input.retryAfterSeconds * 1000 + input.random * options.backoffBaseMs;
  } else if (input.rateLimited === true) {
    delayMs += rateLimitedMinDelayMs;
  }
  if (delayMs < input.remainingMs) return { retry: true, delayMs };
  const waitsForDrata = input.retryAfterSeconds !== undefined || input.rateLimited === true;
  return { retry: false, reason: waitsForDrata ? 'retry-after' : 'deadline' };
}

/**
 * A process-wide retry budget: each first attempt deposits `ratio` of a retry, time deposits
 * `minPerSecond`, and each retry withdraws one. It starts with its reserve (ten seconds of
 * `minPerSecond`), so a freshly started gateway retries its first transient failures, and deposits
 * are capped at that reserve (at least one retry) so that a quiet hour does not bank a storm.
 */
export interface RetryBudget {
  /** Notes a first attempt. */
  deposit(): void;
  /** Takes one retry if the budget holds one; returns whether it did. */
  tryWithdraw(): boolean;
}

/** Seconds of `retryBudgetMinPerSecond` a budget holds in reserve, and starts with. */
export const retryReserveSeconds = 10;

export function createRetryBudget(
  options: Pick<ResilienceOptions, 'retryBudgetRatio' | 'retryBudgetMinPerSecond'>,
  now: () => number = Date.now,
): RetryBudget {
  const reserve = options.retryBudgetMinPerSecond * retryReserveSeconds;
  const cap = Math.max(1, reserve);
  let balance = reserve;
  let refilledAt = now();
  const refill = (): void => {
    const time = now();
    balance = Math.min(cap, balance + ((time - refilledAt) / 1000) * options.retryBudgetMinPerSecond);
    refilledAt = time;
  };
  return {
    deposit: () => {
      refill();
      balance = Math.min(cap, balance + options.retryBudgetRatio);
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

/** What an attempt says about Drata's health. */
export type Health = 'up' | 'down' | 'unknown';

/** Leave to make one attempt, stamped with the breaker's state when it was given. */
export interface BreakerPermit {
  /** The breaker's generation (one per state it has been in) when the attempt was admitted. */
  readonly generation: number;
  /** Whether this attempt is the one probe of a half-open circuit. */
  readonly probe: boolean;
}

/**
 * A circuit breaker over consecutive failures. Every change of state starts a new generation, and a
 * result counts only in the generation its attempt was admitted in: a slow attempt admitted before
 * the circuit opened can neither close it nor push its cool-down out. In half-open state only the one
 * probe is admitted, and only its result changes the circuit.
 */
export interface CircuitBreaker {
  /** The milliseconds until an attempt could be admitted; 0 when one could be now. Changes nothing. */
  refusedFor(): number;
  /** Admits an attempt, or refuses it (undefined) while open or while the probe is out. */
  acquire(): BreakerPermit | undefined;
  /**
   * The admitted attempt ended. `up`: Drata answered (any 2xx–4xx). `down`: a connection error, a
   * timeout, a 5xx. `unknown`: nothing learnt (cancelled, unreadable); a probe that learns nothing lets
   * the next attempt probe instead.
   */
  record(permit: BreakerPermit, health: Health): void;
  readonly state: BreakerState;
}

/** How long a refused call is told to wait while the half-open probe is out (ms). */
const probeWaitMs = 1000;

export function createCircuitBreaker(
  options: Pick<ResilienceOptions, 'breakerThreshold' | 'breakerCooldownMs'>,
  onChange: (state: BreakerState) => void = () => undefined,
  now: () => number = Date.now,
): CircuitBreaker {
  let state: BreakerState = 'closed';
  let generation = 0;
  let failures = 0;
  let openedAt = 0;
  let probing = false;
  const set = (next: BreakerState): void => {
    state = next;
    generation += 1;
    failures = 0;
    probing = false;
    onChange(next);
  };
  const open = (): void => {
    openedAt = now();
    set('open');
  };
  const cooldownLeft = (): number => openedAt + options.breakerCooldownMs - now();
  return {
    refusedFor: () => {
      if (state === 'closed') return 0;
      if (state === 'open') return Math.max(0, cooldownLeft());
      return probing ? probeWaitMs : 0;
    },
    acquire: () => {
      if (state === 'open' && cooldownLeft() <= 0) set('half-open');
      if (state === 'closed') return { generation, probe: false };
      if (state === 'open' || probing) return undefined;
      probing = true;
      return { generation, probe: true };
    },
    record: (permit, health) => {
      if (permit.generation !== generation) return;
      if (state === 'closed') {
        if (health === 'up') failures = 0;
        else if (health === 'down') {
          failures += 1;
          if (failures >= options.breakerThreshold) open();
        }
        return;
      }
      if (state !== 'half-open' || !permit.probe) return;
      if (health === 'up') set('closed');
      else if (health === 'down') open();
      else probing = false;
    },
    get state() {
      return state;
    },
  };
}

/** One request's place in the rate limit: how long to wait, and a way to give it back unused. */
export interface RateReservation {
  /** Milliseconds to wait before sending (0: now). */
  readonly waitMs: number;
  /** Gives the token back: the request was never sent (cancelled, refused by the queue). */
  refund(): void;
}

/** A process-wide token bucket toward Drata. */
export interface RateLimiter {
  /**
   * Reserves one request. Returns its reservation, or `undefined`, reserving nothing, when the wait
   * would exceed `maxWaitMs`.
   */
  reserve(maxWaitMs: number): RateReservation | undefined;
  /** The wait a reservation would have now (ms), for `Retry-After`. */
  readonly nextFreeInMs: number;
}

const noRefund = (): void => undefined;

/** `action`, made to run its first call only (a token is given back once). */
export function onlyOnce(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}

/** A bucket's capacity: a burst of five seconds' worth, so that a page of aliases does not queue behind itself. */
export const burstOf = (rateLimitPerMinute: number): number =>
  Math.max(1, Math.round(rateLimitPerMinute / 12));

export function createRateLimiter(
  options: Pick<ResilienceOptions, 'rateLimitPerMinute'>,
  now: () => number = Date.now,
): RateLimiter {
  const perMs = options.rateLimitPerMinute / 60_000;
  const capacity = burstOf(options.rateLimitPerMinute);
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
      if (options.rateLimitPerMinute <= 0) return { waitMs: 0, refund: noRefund };
      refill();
      const waitMs = waitFor();
      if (waitMs > maxWaitMs) return undefined;
      tokens -= 1;
      return {
        waitMs,
        refund: onlyOnce(() => {
          refill();
          tokens = Math.min(capacity, tokens + 1);
        }),
      };
    },
    get nextFreeInMs() {
      if (options.rateLimitPerMinute <= 0) return 0;
      refill();
      return waitFor();
    },
  };
}

/** A refused reservation: nothing was reserved, and one could be made in `refusedForMs`. */
export interface RateRefusal {
  readonly refusedForMs: number;
}

/**
 * The rate limit as the transport uses it: the process's own bucket answers at once, a bucket shared
 * through Redis answers later. `reserve` never rejects.
 */
export interface RateGate {
  /** Reserves one request, or refuses (reserving nothing) when the wait would exceed `maxWaitMs`. */
  reserve(maxWaitMs: number): RateReservation | RateRefusal | Promise<RateReservation | RateRefusal>;
}

/** The {@link RateGate} of a process's own {@link RateLimiter}: it answers at once. */
export function gateOf(limiter: RateLimiter): RateGate {
  return {
    reserve: (maxWaitMs) => limiter.reserve(maxWaitMs) ?? { refusedForMs: limiter.nextFreeInMs },
  };
}

/** Whether a gate's answer refused. */
export const isRefusal = (answer: RateReservation | RateRefusal): answer is RateRefusal =>
  'refusedForMs' in answer;

/** A cap on requests in flight, with a bounded FIFO queue of waiters. */
export interface ConcurrencyLimiter {
  /**
   * Waits for a slot. Resolves with the function that frees it; resolves `undefined` at once when the
   * queue is full. Rejects with `signal`'s reason if it has aborted or aborts while waiting: a
   * cancelled waiter leaves the queue and never holds a slot.
   */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined>;
  readonly inFlight: number;
  readonly queued: number;
}

export function createConcurrencyLimiter(
  options: Pick<ResilienceOptions, 'maxConcurrency' | 'maxQueue'>,
): ConcurrencyLimiter {
  let inFlight = 0;
  /** Each waiter takes a freed slot and returns true, or returns false when it has been cancelled. */
  const waiters: (() => boolean)[] = [];
  const release = (): void => {
    for (let next = waiters.shift(); next; next = waiters.shift()) {
      if (next()) return;
    }
    inFlight -= 1;
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
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      if (inFlight < options.maxConcurrency) {
        inFlight += 1;
        return Promise.resolve(once());
      }
      if (waiters.length >= options.maxQueue) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        const wake = (): boolean => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) {
            reject(signal.reason as Error);
            return false;
          }
          resolve(once());
          return true;
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

/** Resolves after `ms`, or rejects with `signal`'s reason when it aborts first (or has already). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
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
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock, real timers and `Math.random`. */
export const systemClock: Clock = { now: () => Date.now(), sleep, random: () => Math.random() };

/** Counters of what the transport did, kept in one place for metrics. */
export interface UpstreamStats {
  /** Calls made (one per distinct in-flight request: coalesced waiters are not calls). */
  calls: number;
  /** Requests that joined an identical call already in flight instead of making their own. */
  coalesced: number;
  /** HTTP requests sent to Drata, retries included. */
  attempts: number;
  retries: number;
  /** Retries refused because the retry budget was empty. */
  retriesDenied: number;
  /** Waits for a `Retry-After`, or for the least wait of a 429 without one. */
  retryAfterWaits: number;
  /** Times the circuit opened. */
  breakerOpened: number;
  /** Attempts refused by an open circuit (or while the half-open probe is out). */
  breakerRejections: number;
  breakerState: BreakerState;
  /** Calls that waited for the client-side rate limit, and calls it refused. */
  rateLimitWaits: number;
  rateLimitRejections: number;
  /** Calls refused because the queue was full. */
  queueRejections: number;
  /** Calls that ran out of their deadline, or whose last attempt timed out. */
  timeouts: number;
  /** Requests to Drata in flight right now. */
  readonly inFlight: number;
  /** Calls waiting for a concurrency slot right now. */
  readonly queued: number;
}

/** Fresh counters, with `inFlight` and `queued` read live from `slots`. */
export function createStats(slots: Pick<ConcurrencyLimiter, 'inFlight' | 'queued'>): UpstreamStats {
  return {
    calls: 0,
    coalesced: 0,
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
    get inFlight() {
      return slots.inFlight;
    },
    get queued() {
      return slots.queued;
    },
  };
}
