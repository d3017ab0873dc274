import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCircuitBreaker,
  createRateLimiter,
  createRetryBudget,
  decideRetry,
  defaultResilience,
} from '../src/upstream/policies.js';

const options = { maxAttempts: 3, backoffBaseMs: 100, backoffCapMs: 2000 };

describe('decideRetry (property-based)', () => {
  it('never allows more than 3 attempts, and never retries what is not retryable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        (attempt, retryable, retryAfterSeconds, remainingMs, random, maxAttempts) => {
          const decision = decideRetry(
            { attempt, retryable, retryAfterSeconds, remainingMs, random },
            { ...options, maxAttempts },
          );
          if (decision.retry) {
            expect(retryable).toBe(true);
            expect(attempt).toBeLessThan(Math.min(3, maxAttempts));
          }
        },
      ),
    );
  });

  it('keeps every backoff delay within [0, min(cap, base × 2^n)] and inside the deadline', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, remainingMs, random) => {
          const decision = decideRetry(
            { attempt, retryable: true, retryAfterSeconds: undefined, remainingMs, random },
            options,
          );
          const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (attempt - 1));
          if (decision.retry) {
            expect(decision.delayMs).toBeGreaterThanOrEqual(0);
            expect(decision.delayMs).toBeLessThanOrEqual(ceiling);
            expect(decision.delayMs).toBeLessThan(remainingMs);
          } else {
            expect(decision).toEqual({ retry: false, reason: 'deadline' });
            expect(random * ceiling).toBeGreaterThanOrEqual(remainingMs);
          }
        },
      ),
    );
  });

  it('respects Retry-After when it fits, plus at most `base` of jitter, and refuses it otherwise', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retryAfterSeconds, remainingMs, random) => {
          const decision = decideRetry(
            { attempt: 1, retryable: true, retryAfterSeconds, remainingMs, random },
            options,
          );
          if (decision.retry) {
            expect(decision.delayMs).toBeGreaterThanOrEqual(retryAfterSeconds * 1000);
            expect(decision.delayMs).toBeLessThanOrEqual(retryAfterSeconds * 1000 + options.backoffBaseMs);
            expect(decision.delayMs).toBeLessThan(remainingMs);
          } else {
            expect(decision).toEqual({ retry: false, reason: 'retry-after' });
            expect(retryAfterSeconds * 1000).toBeGreaterThanOrEqual(remainingMs - options.backoffBaseMs);
          }
        },
      ),
    );
  });
});

describe('the retry budget', () => {
  it('starts with its reserve of ten seconds of floor, then allows 10% of first attempts plus the floor', () => {
    let now = 0;
    const budget = createRetryBudget({ retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 1 }, () => now);
    expect(Array.from({ length: 11 }, () => budget.tryWithdraw())).toEqual([
      ...Array.from({ length: 10 }, () => true),
      false,
    ]);
    let retries = 0;
    for (let call = 0; call < 1000; call += 1) {
      budget.deposit();
      if (budget.tryWithdraw()) retries += 1;
    }
    expect(retries).toBe(100);
    now += 3000;
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('without a floor it has no reserve: retries come from first attempts only', () => {
    const budget = createRetryBudget({ retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 0 }, () => 0);
    expect(budget.tryWithdraw()).toBe(false);
    for (let call = 0; call < 10; call += 1) budget.deposit();
    expect([budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, false]);
  });

  it('does not bank first attempts past its reserve either', () => {
    const budget = createRetryBudget({ retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 1 }, () => 0);
    for (let call = 0; call < 1000; call += 1) budget.deposit();
    let retries = 0;
    while (budget.tryWithdraw()) retries += 1;
    expect(retries).toBe(10);
  });

  it('does not bank more than ten seconds of floor', () => {
    let now = 0;
    const budget = createRetryBudget({ retryBudgetRatio: 0.1, retryBudgetMinPerSecond: 1 }, () => now);
    now += 3_600_000;
    let retries = 0;
    while (budget.tryWithdraw()) retries += 1;
    expect(retries).toBe(10);
  });
});

describe('the circuit breaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, and closes on success', () => {
    let now = 0;
    const changes: string[] = [];
    const breaker = createCircuitBreaker(
      { breakerThreshold: 3, breakerCooldownMs: 1000 },
      (state) => changes.push(state),
      () => now,
    );
    const fail = (): void => breaker.record(breaker.acquire()!, 'down');
    fail();
    fail();
    breaker.record(breaker.acquire()!, 'up');
    fail();
    fail();
    expect(breaker.refusedFor()).toBe(0);
    fail();
    expect(breaker.state).toBe('open');
    now += 400;
    expect(breaker.refusedFor()).toBe(600);
    expect(breaker.acquire()).toBeUndefined();
    now += 600;
    const probe = breaker.acquire();
    expect(probe).toMatchObject({ probe: true });
    expect(breaker.state).toBe('half-open');
    expect(breaker.acquire()).toBeUndefined();
    breaker.record(probe!, 'down');
    expect(breaker.state).toBe('open');
    now += 1000;
    breaker.record(breaker.acquire()!, 'up');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('the rate limiter', () => {
  it('lets a burst of five seconds through, then paces, and refuses a wait past the deadline', () => {
    let now = 0;
    const limiter = createRateLimiter({ rateLimitPerMinute: 60 }, () => now);
    expect(Array.from({ length: 5 }, () => limiter.reserve(0)?.waitMs)).toEqual([0, 0, 0, 0, 0]);
    expect(limiter.reserve(500)).toBeUndefined();
    expect(limiter.nextFreeInMs).toBe(1000);
    expect(limiter.reserve(1000)?.waitMs).toBe(1000);
    expect(limiter.reserve(1500)).toBeUndefined();
    now += 2000;
    expect(limiter.reserve(0)?.waitMs).toBe(0);
  });

  it('gives a token back once, however often a reservation is refunded', () => {
    const now = 0;
    const limiter = createRateLimiter({ rateLimitPerMinute: 60 }, () => now);
    const [first] = Array.from({ length: 5 }, () => limiter.reserve(0));
    first?.refund();
    first?.refund();
    expect(limiter.reserve(0)?.waitMs).toBe(0);
    expect(limiter.reserve(0)).toBeUndefined();
  });

  it('is off at 0 requests per minute', () => {
    const limiter = createRateLimiter({ ...defaultResilience, rateLimitPerMinute: 0 });
    expect(Array.from({ length: 1000 }, () => limiter.reserve(0)?.waitMs).every((wait) => wait === 0)).toBe(
      true,
    );
  });
});
