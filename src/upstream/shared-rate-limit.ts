import type { Redis } from 'ioredis';
import {
  burstOf,
  type RateGate,
  type RateLimiter,
  type RateRefusal,
  type RateReservation,
  onlyOnce,
} from './policies.js';
import type { RedisLink } from './redis.js';

/**
 * One token bucket in Redis, run atomically as a Lua script: the same bucket as the process's own
 * (`createRateLimiter`: `rate` a minute, bursts of five seconds' worth, a reservation that would wait
 * longer than allowed is refused and reserves nothing, an unused token can be given back), on Redis's
 * clock (`TIME`), so that replicas whose clocks differ share it fairly. The hash holds the tokens
 * (fractional; below 0 while reservations wait) and when they were counted; it expires once the
 * bucket would be full again, which is the same as a bucket never used.
 *
 * KEYS[1]: the bucket. ARGV: tokens per ms, capacity, the longest wait allowed (ms), and `reserve` or
 * `refund`. Answers { 1, wait } for a reservation (wait in ms, as text), { 0, wait } for a refusal.
 */
const bucketScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate)
  at = now
end
local answer = { 1, '0' }
if ARGV[4] == 'refund' then
  tokens = math.min(capacity, tokens + 1)
else
  local wait = 0
  if tokens < 1 then wait = (1 - tokens) / rate end
  if wait > max_wait then
    answer = { 0, tostring(wait) }
  else
    tokens = tokens - 1
    answer = { 1, tostring(wait) }
  end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return answer
`;

type Scripted = Redis & {
  drataBucket(
    key: string,
    perMs: string,
    capacity: string,
    maxWaitMs: string,
    mode: 'reserve' | 'refund',
  ): Promise<[number, string]>;
};

export interface SharedRateLimitOptions {
  /** The whole budget of every replica together, a minute; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Which Drata the bucket is for (replicas calling the same Drata share it). */
  readonly scope: string;
}

const noRefund = (): void => undefined;

/**
 * The rate limit toward Drata shared by every replica through Redis. While Redis is unreachable (or
 * fails a command) each process uses `fallback`, its own bucket at its share, and the link logs it
 * once: a call never fails because Redis did.
 */
export function createSharedRateLimiter(
  link: RedisLink,
  options: SharedRateLimitOptions,
  fallback: RateLimiter,
): RateGate {
  const client = link.client as Scripted;
  if (typeof client.drataBucket !== 'function') {
    client.defineCommand('drataBucket', { numberOfKeys: 1, lua: bucketScript });
  }
  const key = `${link.prefix}rate:${options.scope}`;
  const perMs = String(options.rateLimitPerMinute / 60_000);
  const capacity = String(burstOf(options.rateLimitPerMinute));
  const local = (maxWaitMs: number): RateReservation | RateRefusal =>
    fallback.reserve(maxWaitMs) ?? { refusedForMs: fallback.nextFreeInMs };
  const refund = (): void => {
    if (!link.ready) return;
    client.drataBucket(key, perMs, capacity, '0', 'refund').then(
      () => link.succeeded(),
      (error: unknown) => link.failed(error),
    );
  };
  return {
    reserve: (maxWaitMs) => {
      if (options.rateLimitPerMinute <= 0) return { waitMs: 0, refund: noRefund };
      if (!link.ready) return local(maxWaitMs);
      return client.drataBucket(key, perMs, capacity, String(maxWaitMs), 'reserve').then(
        ([reserved, wait]): RateReservation | RateRefusal => {
          link.succeeded();
          const waitMs = Math.max(0, Number(wait));
          if (reserved !== 1) return { refusedForMs: waitMs };
          return { waitMs, refund: onlyOnce(refund) };
        },
        (error: unknown) => {
          link.failed(error);
          return local(maxWaitMs);
        },
      );
    },
  };
}
