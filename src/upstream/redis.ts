import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * The process's one connection to Redis (`REDIS_URL`), shared by the cache and the rate limit, and
 * whether Redis is usable right now. Nothing waits for Redis while it is not: commands fail at once
 * while disconnected (no offline queue) and after `commandTimeoutMs` when Redis does not answer, and
 * every user falls back (the cache to a miss, the rate limit to the process's own bucket). Going down
 * and coming back are each logged once. This module loads `ioredis`: import it only when `REDIS_URL`
 * is set.
 */
export interface RedisLink {
  readonly client: Redis;
  /** What every key begins with (`REDIS_KEY_PREFIX`). */
  readonly prefix: string;
  /** Connected, and no command has failed in the last second. */
  readonly ready: boolean;
  /** Whether the gateway is working without Redis right now. */
  readonly fallback: boolean;
  /** Times the gateway has fallen back since it started. */
  readonly fallbacks: number;
  /** A command failed: fall back (logged once until Redis answers again). */
  failed(error: unknown): void;
  /** A command answered. */
  succeeded(): void;
  /** Closes the connection. */
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  /** `redis://` or `rediss://`, with credentials and a database number if need be. Never logged. */
  readonly url: string;
  readonly prefix: string;
  readonly logger: Logger;
  /** How long a command may take before it counts as a failure (ms). */
  readonly commandTimeoutMs?: number;
  /** How long start-up waits for the first connection before going on without it (ms). */
  readonly connectWaitMs?: number;
}

/** How long Redis is passed by after a command failed (ms). */
const retryAfterFailureMs = 1000;

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * Connects to Redis, waiting at most `connectWaitMs` for it: an unreachable Redis does not stop
 * start-up, the gateway works without it (and says so once) and reconnects in the background.
 */
export async function connectRedis(options: RedisLinkOptions): Promise<RedisLink> {
  const { logger } = options;
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2000,
    // Reconnect forever, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let down = false;
  let fallbacks = 0;
  let closing = false;
  // After a failure, Redis is passed by for a moment rather than waited for by every call.
  let passUntil = 0;
  const failed = (error: unknown): void => {
    passUntil = Date.now() + retryAfterFailureMs;
    if (down || closing) return;
    down = true;
    fallbacks += 1;
    logger.warn(
      { cause: codeOf(error) ?? (error instanceof Error ? error.message : 'unknown') },
      'Redis is unreachable: the cache is passed by and the rate limit toward Drata is this process’s share, until it answers again',
    );
  };
  const succeeded = (): void => {
    if (!down || closing) return;
    down = false;
    logger.info('Redis answers again: the shared cache and rate limit are back');
  };
  // ioredis reports every failed (re)connection here; without a listener it would throw.
  client.on('error', failed);
  client.on('close', () => failed(new Error('connection closed')));
  client.on('ready', succeeded);
  const connected = client.connect().then(
    () => true,
    (error: unknown) => {
      failed(error);
      return false;
    },
  );
  const waited = await Promise.race([
    connected,
    new Promise<false>((resolve) => setTimeout(() => resolve(false), options.connectWaitMs ?? 2000).unref()),
  ]);
  if (!waited) failed(new Error('no connection yet'));
  return {
    client,
    prefix: options.prefix,
    get ready() {
      return client.status === 'ready' && Date.now() >= passUntil;
    },
    get fallback() {
      return down || client.status !== 'ready';
    },
    get fallbacks() {
      return fallbacks;
    },
    failed,
    succeeded,
    close: async () => {
      closing = true;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
