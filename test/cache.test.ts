import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { RedisLink } from '../src/upstream/redis.js';
import {
  aliasOf,
  createTestClock,
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  type RunningGateway,
  type TestClock,
  type TestUpstream,
  until,
} from './helpers.js';
import { linkTo, startRedis, useRedis, type TestRedis } from './redis-server.js';

const ttlSeconds = 60;
const tokenA = 'tok-cache-4c2e';
const tokenB = 'tok-cache-9d7f';
const tokenReview = 'tok-review-8d3b';
const query = '{ connections(page: { limit: 5 }) { total nodes { clientAlias } } }';
const pageQuery = (page: number): string =>
  `{ connections(page: { page: ${page}, limit: 5 }) { total nodes { clientAlias } } }`;

/** The token after `Bearer `, as the test upstream received it. */
const tokenOf = (authorization: string | undefined): string => authorization?.replace(/^Bearer /, '') ?? '';

/**
 * A Drata that answers each caller with its own data: one connection whose alias is the caller's
 * (`aliasOf`) with the number of the answer it is (`#1`, `#2`…), so that a kept answer shows. A token
 * listed in `failNext` is answered 500 once.
 */
function perCallerUpstream(): Promise<TestUpstream & { failNext: Set<string> }> {
  const failNext = new Set<string>();
  let answers = 0;
  return startUpstream((request, response) => {
    const token = tokenOf(request.headers.authorization);
    if (failNext.delete(token)) {
      sendJson(response, 500, { name: 'InternalServerError', message: 'Something broke', statusCode: 500 });
      return;
    }
    answers += 1;
    sendJson(response, 200, drataPage([drataItem({ clientAlias: `${aliasOf(token)}#${answers}` })], 1, 5));
  }).then((upstream) => Object.assign(upstream, { failNext }));
}

const aliasesIn = (answer: Awaited<ReturnType<typeof graphql>>): string[] =>
  ((answer.body.data?.['connections'] as { nodes: { clientAlias: string }[] } | undefined)?.nodes ?? []).map(
    (node) => node.clientAlias,
  );

const ask = (url: string, token: string, headers: Record<string, string> = {}, text = query) =>
  graphql(url, text, { headers: { authorization: `Bearer ${token}`, ...headers } });

/** The behaviour every store must have, run against the in-memory cache and against Redis. */
function cacheBehaviour(store: 'memory' | 'redis', linkFor: () => Promise<RedisLink | undefined>): void {
  let upstream: TestUpstream & { failNext: Set<string> };
  let gateway: RunningGateway;
  let clock: TestClock;
  let link: RedisLink | undefined;
  beforeAll(async () => {
    upstream = await perCallerUpstream();
    clock = createTestClock();
    link = await linkFor();
    gateway = await startGateway({
      baseUrl: upstream.baseUrl,
      clock,
      cache: { ttlSeconds },
      ...(link ? { redis: { link } } : {}),
    });
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    // Each test starts past every page kept before it.
    clock.advance(ttlSeconds * 1000 + 1);
  });
  afterAll(async () => {
    await gateway.close();
    await link?.close();
    await upstream.close();
  });

  it('serves the same caller the same page again within the TTL, without calling Drata', async () => {
    const first = await ask(gateway.url, tokenA);
    const stats = gateway.gateway.upstream.cache!;
    const hits = stats.hits;
    clock.advance(ttlSeconds * 1000 - 1);
    const second = await ask(gateway.url, tokenA);
    expect(aliasesIn(first)).toHaveLength(1);
    expect(second.body).toEqual(first.body);
    expect(upstream.requests).toHaveLength(1);
    expect(stats.store).toBe(store);
    expect(stats.hits).toBe(hits + 1);
  });

  it('calls Drata again once the TTL has passed', async () => {
    const first = await ask(gateway.url, tokenA);
    clock.advance(ttlSeconds * 1000);
    const second = await ask(gateway.url, tokenA);
    expect(upstream.requests).toHaveLength(2);
    expect(aliasesIn(second)).not.toEqual(aliasesIn(first));
    expect(aliasesIn(second)[0]).toMatch(new RegExp(`^${aliasOf(tokenA)}#`));
  });

  it('never keeps an error: the next request calls Drata, and its page is what is kept', async () => {
    upstream.failNext.add(tokenA);
    const failed = await ask(gateway.url, tokenA);
    expect(failed.body.errors?.[0]?.extensions.code).toBe('UPSTREAM_ERROR');
    const misses = gateway.gateway.upstream.cache!.misses.absent;
    const second = await ask(gateway.url, tokenA);
    expect(second.body.errors).toBeUndefined();
    expect(gateway.gateway.upstream.cache!.misses.absent).toBe(misses + 1);
    const third = await ask(gateway.url, tokenA);
    expect(third.body).toEqual(second.body);
    expect(upstream.requests).toHaveLength(2);
  });

  it('with Cache-Control: no-cache calls Drata, and that answer replaces the kept one', async () => {
    const first = await ask(gateway.url, tokenA);
    const fresh = await ask(gateway.url, tokenA, { 'cache-control': 'max-age=0, no-cache' });
    expect(upstream.requests).toHaveLength(2);
    expect(aliasesIn(fresh)).not.toEqual(aliasesIn(first));
    const after = await ask(gateway.url, tokenA);
    expect(after.body).toEqual(fresh.body);
    expect(upstream.requests).toHaveLength(2);
    expect(gateway.gateway.upstream.cache!.misses.bypass).toBeGreaterThan(0);
  });

  it("never serves one caller another's page, even for identical requests", async () => {
    for (let round = 0; round < 3; round += 1) {
      for (const token of [tokenA, tokenB]) {
        const answer = await ask(gateway.url, token);
        expect(aliasesIn(answer)).toHaveLength(1);
        expect(aliasesIn(answer)[0]).toMatch(new RegExp(`^${aliasOf(token)}#`));
      }
    }
    // One call per caller; every later answer came from that caller's own entry.
    expect(upstream.requests.map((request) => tokenOf(request.headers['authorization']))).toEqual([
      tokenA,
      tokenB,
    ]);
  });
}

describe('the cache in memory', () => {
  cacheBehaviour('memory', () => Promise.resolve(undefined));

  it('keeps at most DRATA_CACHE_MAX_ENTRIES pages, dropping the least recently used', async () => {
    await using upstream = await perCallerUpstream();
    await using gateway = await startGateway({
      baseUrl: upstream.baseUrl,
      cache: { ttlSeconds, maxEntries: 2 },
    });
    for (const page of [1, 2, 1, 3, 1, 2]) await ask(gateway.url, tokenA, {}, pageQuery(page));
    // 1, 2 called; 1 kept; 3 called (2 dropped); 1 kept; 2 called again.
    expect(
      upstream.requests.map((request) => new URL(request.url, 'http://x').searchParams.get('page')),
    ).toEqual(['1', '2', '3', '2']);
  });

  it('is off unless DRATA_CACHE_TTL_SECONDS is set', async () => {
    await using upstream = await perCallerUpstream();
    await using gateway = await startGateway({ baseUrl: upstream.baseUrl });
    await ask(gateway.url, tokenA);
    await ask(gateway.url, tokenA);
    expect(upstream.requests).toHaveLength(2);
    expect(gateway.gateway.upstream.cache).toBeUndefined();
  });
});

describe('the cache in Redis', () => {
  const redis = useRedis();
  cacheBehaviour('redis', () => linkTo(redis, 'test-behaviour:'));

  it('is shared: a page read through one gateway is a hit through another', async () => {
    await using upstream = await perCallerUpstream();
    const links = [await linkTo(redis, 'test-shared:'), await linkTo(redis, 'test-shared:')];
    await using one = await startGateway({
      baseUrl: upstream.baseUrl,
      cache: { ttlSeconds },
      redis: { link: links[0]! },
    });
    await using other = await startGateway({
      baseUrl: upstream.baseUrl,
      cache: { ttlSeconds },
      redis: { link: links[1]! },
    });
    const first = await ask(one.url, tokenA);
    const second = await ask(other.url, tokenA);
    expect(second.body).toEqual(first.body);
    expect(upstream.requests).toHaveLength(1);
    expect(other.gateway.upstream.cache).toMatchObject({ store: 'redis', hits: 1 });
    // Another caller through the other gateway gets its own.
    const third = await ask(other.url, tokenB);
    expect(aliasesIn(third)[0]).toMatch(new RegExp(`^${aliasOf(tokenB)}#`));
    expect(upstream.requests).toHaveLength(2);
    for (const link of links) await link.close();
  });

  it('keys hold a SHA-256 of the Authorization header, never the token or the header', async () => {
    await using upstream = await perCallerUpstream();
    const link = await linkTo(redis, 'test-keys:');
    await using gateway = await startGateway({
      baseUrl: upstream.baseUrl,
      cache: { ttlSeconds },
      redis: { link },
    });
    await ask(gateway.url, tokenA);
    await ask(gateway.url, tokenB);
    await link.close();
    const entries = (await redis.dump()).filter((entry) => entry.key.startsWith('test-keys:'));
    expect(entries).toHaveLength(2);
    const { createHash } = await import('node:crypto');
    for (const token of [tokenA, tokenB]) {
      const digest = createHash('sha256').update(`Bearer ${token}`).digest('hex');
      expect(entries.filter((entry) => entry.key.includes(digest))).toHaveLength(1);
    }
    for (const { key, value } of entries) {
      expect(key).toMatch(/^test-keys:cache:[0-9a-f]{16}:[0-9a-f]{64}:/);
      for (const secret of [tokenA, tokenB, 'Bearer']) {
        expect(key).not.toContain(secret);
        expect(value).not.toContain(secret);
      }
    }
  });

  it('serves no page from Redis that fails the shape check', async () => {
    await using upstream = await perCallerUpstream();
    const link = await linkTo(redis, 'test-shape:');
    await using gateway = await startGateway({
      baseUrl: upstream.baseUrl,
      cache: { ttlSeconds },
      redis: { link },
    });
    const raw = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const first = await ask(gateway.url, tokenReview);
      expect(first.body).toEqual({
        data: { connections: { total: 1, nodes: [{ clientAlias: `${aliasOf(tokenReview)}#1` }] } },
      });
      // The write goes on the link's connection before this: once it answers, the page is kept.
      await link.client.ping();
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await raw.scan(cursor, 'MATCH', 'test-shape:cache:*', 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      expect(keys).toHaveLength(1);
      await raw.set(
        keys[0]!,
        JSON.stringify({ expiresAt: Date.now() + 365 * 86_400_000, page: { data: 'nope' } }),
      );
      const second = await ask(gateway.url, tokenReview);
      expect(upstream.requests).toHaveLength(2);
      expect(second.body).toEqual({
        data: { connections: { total: 1, nodes: [{ clientAlias: `${aliasOf(tokenReview)}#2` }] } },
      });
    } finally {
      raw.disconnect();
      await link.close();
    }
  });
});

describe('when Redis goes down', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('calls still succeed, through Drata and this process’s own bucket, and the fallback is logged once', async () => {
    await using upstream = await perCallerUpstream();
    const link = await linkTo(redis, 'test-down:');
    await using gateway = await startGateway({
      baseUrl: upstream.baseUrl,
      cache: { ttlSeconds },
      resilience: { rateLimitPerMinute: 600 },
      redis: { link, fallbackRateLimitPerMinute: 300 },
    });
    expect((await ask(gateway.url, tokenA)).body.errors).toBeUndefined();
    expect(link.fallback).toBe(false);
    let reconnectErrors = 0;
    link.client.on('error', () => (reconnectErrors += 1));
    await redis.stop();
    // ioredis keeps trying to reconnect, failing each time: that is still one fallback, logged once.
    await until(() => reconnectErrors >= 2, 'ioredis has failed to reconnect twice');
    for (let page = 1; page <= 6; page += 1) {
      const answer = await ask(gateway.url, tokenA, {}, pageQuery(page));
      expect(answer.body.errors).toBeUndefined();
      expect(aliasesIn(answer)[0]).toMatch(new RegExp(`^${aliasOf(tokenA)}#`));
    }
    expect(upstream.requests).toHaveLength(7);
    expect(link.fallback).toBe(true);
    expect(gateway.gateway.upstream.cache!.misses.unavailable).toBeGreaterThan(0);
    expect(link.logs.filter((line) => line.includes('Redis is unreachable'))).toHaveLength(1);
    await link.close();
  });

  it('while Redis is down, this process’s own bucket limits', async () => {
    const own = await startRedis();
    await using upstream = await perCallerUpstream();
    const link = await linkTo(own, 'test-down-bucket:');
    try {
      // 12 a minute: a burst of 1. The deadline is one attempt, so no wait for a token fits; the test
      // clock stands still, so the bucket does not refill.
      await using gateway = await startGateway({
        baseUrl: upstream.baseUrl,
        clock: createTestClock(),
        resilience: { rateLimitPerMinute: 12, timeoutMs: 2000, attemptTimeoutMs: 2000 },
        redis: { link, fallbackRateLimitPerMinute: 12 },
      });
      await own.stop();
      await until(() => link.fallback, 'the link has noticed that Redis is down');
      const answers = [];
      for (let page = 1; page <= 3; page += 1) {
        answers.push((await ask(gateway.url, tokenReview, {}, pageQuery(page))).body);
      }
      const limited = {
        data: { connections: null },
        errors: [
          {
            message: "The gateway's rate limit toward Drata was reached.",
            locations: [{ line: 1, column: 3 }],
            path: ['connections'],
            extensions: { code: 'RATE_LIMITED', retryAfter: 5, requestId: expect.any(String) as unknown },
          },
        ],
      };
      expect(answers).toEqual([
        { data: { connections: { total: 1, nodes: [{ clientAlias: `${aliasOf(tokenReview)}#1` }] } } },
        limited,
        limited,
      ]);
      expect(upstream.requests).toHaveLength(1);
      expect(gateway.gateway.upstream.stats.rateLimitRejections).toBe(2);
    } finally {
      await link.close();
      await own.stop();
    }
  });

  it('a Redis that stops answering is passed by', async () => {
    const own = await startRedis();
    // One gateway uses Redis for the rate limit only, the other for the cache only: each meets the
    // silent Redis itself.
    await using limitedUpstream = await perCallerUpstream();
    await using cachedUpstream = await perCallerUpstream();
    const limitLink = await linkTo(own, 'test-silent-rate:');
    const cacheLink = await linkTo(own, 'test-silent-cache:');
    const admin = new Redis(own.url, { maxRetriesPerRequest: 0 });
    try {
      await using limitedGateway = await startGateway({
        baseUrl: limitedUpstream.baseUrl,
        resilience: { rateLimitPerMinute: 600, timeoutMs: 5000, attemptTimeoutMs: 2000 },
        redis: { link: limitLink },
      });
      await using cachedGateway = await startGateway({
        baseUrl: cachedUpstream.baseUrl,
        cache: { ttlSeconds },
        resilience: { timeoutMs: 5000, attemptTimeoutMs: 2000 },
        redis: { link: cacheLink },
      });
      // The connections stay up; every command waits until it times out.
      expect(await admin.call('CLIENT', 'PAUSE', '3000', 'ALL')).toBe('OK');
      const expected = (answer: number) => ({
        data: { connections: { total: 1, nodes: [{ clientAlias: `${aliasOf(tokenReview)}#${answer}` }] } },
      });
      const [limited, cached] = await Promise.all(
        [limitedGateway, cachedGateway].map(async (gateway) => [
          (await ask(gateway.url, tokenReview, {}, pageQuery(1))).body,
          (await ask(gateway.url, tokenReview, {}, pageQuery(2))).body,
        ]),
      );
      expect(limited).toEqual([expected(1), expected(2)]);
      expect(cached).toEqual([expected(1), expected(2)]);
      expect(limitLink.client.status).toBe('ready');
      expect(cachedGateway.gateway.upstream.cache!.misses.unavailable).toBeGreaterThan(0);
      for (const link of [limitLink, cacheLink]) {
        expect(link.logs.filter((line) => line.includes('Redis is unreachable'))).toHaveLength(1);
      }
    } finally {
      admin.disconnect();
      await limitLink.close();
      await cacheLink.close();
      await own.stop();
    }
  });
});
