import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { fallbackShare, shareOf } from '../src/cluster.js';
import { burstOf, createRateLimiter, defaultResilience } from '../src/upstream/policies.js';
import { createSharedRateLimiter } from '../src/upstream/shared-rate-limit.js';
import {
  createTestClock,
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  type TestClock,
} from './helpers.js';
import { linkTo, useRedis } from './redis-server.js';

const token = 'tok-rate-5b1a';

const pageQuery = (page: number): string => `{ connections(page: { page: ${page}, limit: 5 }) { total } }`;

/**
 * Two gateways, as two replicas, each with its own connection to one Redis, in front of one Drata,
 * with the rate limit on and the cache off; every request asks for a different page, so that nothing
 * is coalesced.
 */
async function twoReplicas(
  redisUrl: string,
  prefix: string,
  resilience: { rateLimitPerMinute: number; timeoutMs: number; attemptTimeoutMs: number },
  clock?: TestClock,
) {
  const upstream = await startUpstream((_request, response) =>
    sendJson(response, 200, drataPage([drataItem()], 1, 5)),
  );
  const links = [await linkTo({ url: redisUrl }, prefix), await linkTo({ url: redisUrl }, prefix)];
  const gateways = await Promise.all(
    links.map((link) =>
      startGateway({
        baseUrl: upstream.baseUrl,
        resilience,
        redis: { link },
        ...(clock ? { clock } : {}),
      }),
    ),
  );
  /** Sends `count` requests at once, alternately through each gateway; resolves with their error codes. */
  const burst = async (count: number): Promise<(string | undefined)[]> => {
    const answers = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        graphql(gateways[index % 2]!.url, pageQuery(index + 1), {
          headers: { authorization: `Bearer ${token}` },
        }),
      ),
    );
    return answers.map((answer) => answer.body.errors?.[0]?.extensions.code);
  };
  return {
    upstream,
    gateways,
    links,
    burst,
    [Symbol.asyncDispose]: async () => {
      for (const gateway of gateways) await gateway.close();
      for (const link of links) await link.close();
      await upstream.close();
    },
  };
}

describe('the rate limit shared through Redis', () => {
  const redis = useRedis();

  it('holds two gateways together to one bucket: never more than its burst and its refill', async () => {
    // 48 a minute: a burst of 4, then one token every 1.25 s. No wait fits (the deadline is one attempt).
    const rate = 48;
    expect(burstOf(rate)).toBe(4);
    await using replicas = await twoReplicas(redis.url, 'test-rate:', {
      rateLimitPerMinute: rate,
      timeoutMs: 2000,
      attemptTimeoutMs: 2000,
    });
    const startedAt = Date.now();
    const codes = await replicas.burst(16);
    const elapsedMs = Date.now() - startedAt;
    const served = codes.filter((code) => code === undefined).length;
    const limited = codes.filter((code) => code === 'RATE_LIMITED').length;
    expect(served + limited).toBe(16);
    expect(replicas.upstream.requests).toHaveLength(served);
    // Each gateway alone would let its own burst of 4 through: together they let 4 (and the refill).
    expect(served).toBeGreaterThanOrEqual(4);
    expect(served).toBeLessThanOrEqual(4 + Math.floor(elapsedMs / 1250));
    const rejections = replicas.gateways.map((gateway) => gateway.gateway.upstream.stats.rateLimitRejections);
    expect(rejections.reduce((sum, count) => sum + count, 0)).toBe(limited);
    expect(rejections.every((count) => count > 0)).toBe(true);
  });

  it('makes a call wait for a token when the wait leaves the attempt its timeout, else refuses it with retryAfter', async () => {
    // 60 a minute: a burst of 5, one token a second; a deadline of 10 s leaves room for 8 s of waits.
    const clock = createTestClock();
    await using replicas = await twoReplicas(
      redis.url,
      'test-rate-wait:',
      { rateLimitPerMinute: 60, timeoutMs: 10_000, attemptTimeoutMs: 2000 },
      clock,
    );
    const startedAt = Date.now();
    const codes = await replicas.burst(16);
    const elapsedMs = Date.now() - startedAt;
    const served = codes.filter((code) => code === undefined).length;
    // 5 at once, 8 after waits of about 1 to 8 s (the test clock's sleeps end at once), 3 refused.
    expect(served).toBeGreaterThanOrEqual(13);
    expect(served).toBeLessThanOrEqual(13 + Math.ceil(elapsedMs / 1000));
    expect(codes.filter((code) => code !== undefined).every((code) => code === 'RATE_LIMITED')).toBe(true);
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(8000);
    expect(Math.max(...clock.sleeps)).toBeGreaterThan(6000);
    const answer = await graphql(replicas.gateways[0]!.url, pageQuery(99), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(answer.body.errors?.[0]?.extensions['retryAfter']).toBeGreaterThanOrEqual(8);
  });

  it('gives back a token that is not used', async () => {
    // 12 a minute: a burst of 1, the next token in 5 s.
    const link = await linkTo(redis, 'test-rate-refund:');
    const gate = createSharedRateLimiter(
      link,
      { rateLimitPerMinute: 12, scope: 'refund' },
      createRateLimiter({ rateLimitPerMinute: 12 }),
    );
    const reservation = await gate.reserve(0);
    expect(reservation).toMatchObject({ waitMs: 0 });
    const refused = await gate.reserve(0);
    expect(refused).toMatchObject({ refusedForMs: expect.any(Number) as number });
    expect((refused as { refusedForMs: number }).refusedForMs).toBeGreaterThan(4000);
    if ('refund' in reservation) {
      reservation.refund();
      reservation.refund();
    }
    // The refund goes on the same connection before the next reservation.
    expect(await gate.reserve(0)).toMatchObject({ waitMs: 0 });
    expect(await gate.reserve(0)).toMatchObject({ refusedForMs: expect.any(Number) as number });
    await link.close();
  });

  it('the bucket refills on Redis’s clock', async () => {
    // 12 a minute: a burst of 1, the next token in 5 s of Redis's time.
    const link = await linkTo(redis, 'test-rate-refill:');
    const raw = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const gate = createSharedRateLimiter(
        link,
        { rateLimitPerMinute: 12, scope: 'refill' },
        createRateLimiter({ rateLimitPerMinute: 12 }),
      );
      expect(await gate.reserve(0)).toEqual({ waitMs: 0, refund: expect.any(Function) as unknown });
      expect(await gate.reserve(0)).toEqual({ refusedForMs: expect.any(Number) as unknown });
      // The bucket was last counted at `at` (ms on Redis's clock): 5 s earlier is a whole token more.
      const key = 'test-rate-refill:rate:refill';
      const at = Number(await raw.hget(key, 'at'));
      expect(at).toBeGreaterThan(0);
      await raw.hset(key, 'at', String(at - 5000));
      expect(await gate.reserve(0)).toEqual({ waitMs: 0, refund: expect.any(Function) as unknown });
      expect(await gate.reserve(0)).toEqual({ refusedForMs: expect.any(Number) as unknown });
    } finally {
      raw.disconnect();
      await link.close();
    }
  });
});

describe('the share of each process', () => {
  it('is not divided among workers when Redis holds the bucket', () => {
    const resilience = { ...defaultResilience, rateLimitPerMinute: 400, maxConcurrency: 16 };
    expect(shareOf(resilience, 4, { sharedRateLimit: true })).toMatchObject({
      rateLimitPerMinute: 400,
      maxConcurrency: 4,
    });
    expect(shareOf(resilience, 4)).toMatchObject({ rateLimitPerMinute: 100, maxConcurrency: 4 });
  });

  it('falls back, while Redis is unreachable, to the rate divided among replicas and workers', () => {
    expect(fallbackShare(450, 3, 1)).toBe(150);
    expect(fallbackShare(450, 3, 2)).toBe(75);
    expect(fallbackShare(450, 1, 1)).toBe(450);
    expect(fallbackShare(2, 3, 2)).toBe(1);
    expect(fallbackShare(0, 3, 2)).toBe(0);
  });
});
