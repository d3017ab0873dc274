import { createHash } from 'node:crypto';
import type { RedisLink } from './redis.js';
import type { ConnectionPageDto } from './types.js';
import { checkConnectionPage } from './validate.js';

/** Why a page was not served from the cache. */
export type CacheMissReason = 'absent' | 'bypass' | 'unavailable';

/** What a cache has done so far: a live view, for metrics and tests. */
export interface CacheStats {
  /** Where its pages are: the process's memory, or Redis (shared by every replica). */
  readonly store: 'memory' | 'redis';
  hits: number;
  /** Pages not served from the cache, by why: none kept, the caller asked for fresh, Redis failed. */
  readonly misses: Record<CacheMissReason, number>;
}

/**
 * Drata's checked pages, kept per caller and normalized query for a while. Only pages are kept, never
 * errors, and a caller's pages are found only with the same `Authorization` header; the header itself
 * is never kept, only its SHA-256.
 */
export interface PageCache {
  /**
   * The page this caller was given for `query` within the TTL, or undefined: none kept, `refresh`
   * asked for a fresh one, or the store failed (never a rejection).
   */
  get(authorization: string, query: string, refresh: boolean): Promise<ConnectionPageDto | undefined>;
  /** Keeps a page this caller was given for `query`. Never throws; a failing store keeps nothing. */
  set(authorization: string, query: string, page: ConnectionPageDto): void;
  readonly stats: Readonly<CacheStats>;
}

/** How long a page is kept, and how many pages memory keeps at most. */
export interface CacheOptions {
  /** Seconds a page is kept; 0 turns the cache off. */
  readonly ttlSeconds: number;
  /** The most pages kept in memory; the least recently used go first. */
  readonly maxEntries: number;
}

export const defaultCache: CacheOptions = { ttlSeconds: 0, maxEntries: 1000 };

/** The SHA-256 of an `Authorization` header, in hex: what a cache key holds instead of the header. */
export const callerDigest = (authorization: string): string =>
  createHash('sha256').update(authorization, 'utf8').digest('hex');

const newStats = (store: CacheStats['store']): CacheStats => ({
  store,
  hits: 0,
  misses: { absent: 0, bypass: 0, unavailable: 0 },
});

interface Entry {
  readonly expiresAt: number;
  readonly page: ConnectionPageDto;
}

/**
 * A cache in the process's memory: a least-recently-used map of at most `maxEntries` pages, each
 * kept `ttlSeconds` by `now` (the transport's clock). A page is at most `DRATA_MAX_RESPONSE_BYTES`,
 * the largest answer the transport accepts.
 */
export function createMemoryCache(options: CacheOptions, now: () => number = Date.now): PageCache {
  const ttlMs = options.ttlSeconds * 1000;
  const entries = new Map<string, Entry>();
  const stats = newStats('memory');
  const keyOf = (authorization: string, query: string): string => `${callerDigest(authorization)}\n${query}`;
  return {
    get: (authorization, query, refresh) => {
      if (refresh) {
        stats.misses.bypass += 1;
        return Promise.resolve(undefined);
      }
      const key = keyOf(authorization, query);
      const entry = entries.get(key);
      if (entry === undefined || entry.expiresAt <= now()) {
        if (entry !== undefined) entries.delete(key);
        stats.misses.absent += 1;
        return Promise.resolve(undefined);
      }
      // Most recently used last: the map's order is the eviction order.
      entries.delete(key);
      entries.set(key, entry);
      stats.hits += 1;
      return Promise.resolve(entry.page);
    },
    set: (authorization, query, page) => {
      const key = keyOf(authorization, query);
      entries.delete(key);
      entries.set(key, { expiresAt: now() + ttlMs, page });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    stats,
  };
}

/** What a page is kept as in Redis: when it expires (by the writer's clock) and the page. */
interface StoredPage {
  readonly expiresAt: number;
  readonly page: unknown;
}

/**
 * A cache in Redis, shared by every replica: `SET key value PX ttl`, the value JSON. The key is
 * `{prefix}cache:{scope}:{SHA-256 of Authorization}:{query}`. Redis expires a page after the TTL; a
 * reader also ignores one older than the TTL by its own clock, and checks a page's shape again before
 * serving it. Any failure of Redis is a miss (or nothing kept), told to the link, never the caller's
 * error.
 */
export function createRedisCache(
  link: RedisLink,
  options: CacheOptions & { readonly scope: string },
  now: () => number = Date.now,
): PageCache {
  const ttlMs = options.ttlSeconds * 1000;
  const stats = newStats('redis');
  const keyOf = (authorization: string, query: string): string =>
    `${link.prefix}cache:${options.scope}:${callerDigest(authorization)}:${query}`;
  const unavailable = (): void => {
    stats.misses.unavailable += 1;
  };
  return {
    get: async (authorization, query, refresh) => {
      if (refresh) {
        stats.misses.bypass += 1;
        return undefined;
      }
      if (!link.ready) {
        unavailable();
        return undefined;
      }
      let text: string | null;
      try {
        text = await link.client.get(keyOf(authorization, query));
        link.succeeded();
      } catch (error) {
        link.failed(error);
        unavailable();
        return undefined;
      }
      const stored = text === null ? undefined : parseStored(text);
      const page = stored && stored.expiresAt > now() ? checkConnectionPage(stored.page) : undefined;
      if (page === undefined || 'invalid' in page) {
        stats.misses.absent += 1;
        return undefined;
      }
      stats.hits += 1;
      return page;
    },
    set: (authorization, query, page) => {
      if (!link.ready) return;
      const value: StoredPage = { expiresAt: now() + ttlMs, page };
      link.client.set(keyOf(authorization, query), JSON.stringify(value), 'PX', ttlMs).then(
        () => link.succeeded(),
        (error: unknown) => link.failed(error),
      );
    },
    stats,
  };
}

const parseStored = (text: string): StoredPage | undefined => {
  try {
    const value = JSON.parse(text) as Partial<StoredPage> | null;
    return typeof value?.expiresAt === 'number'
      ? { expiresAt: value.expiresAt, page: value.page }
      : undefined;
  } catch {
    return undefined;
  }
};
