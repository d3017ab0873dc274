import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createLogger, type Logger } from '../src/logger.js';
import { connectRedis, type RedisLink } from '../src/upstream/redis.js';
import { watchLine } from './leak-check.js';

/** A `redis-server` of a test's own, on a free loopback port, keeping nothing on disk. */
export interface TestRedis {
  readonly url: string;
  /** Every key with its value (strings as they are, hashes as JSON). */
  dump(): Promise<{ key: string; value: string }[]>;
  /** Stops the server (Redis goes down for whoever uses it). */
  stop(): Promise<void>;
}

/** A free loopback port, as the system picks one. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts Debian's `redis-server` (installed by `scripts/ensure-redis.sh`) on a free loopback port,
 * without snapshots or an append-only file, and resolves once it accepts connections.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const end = Date.now() + 10_000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      probe.disconnect();
      if (Date.now() > end || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}: ${output}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  let stopped = false;
  return {
    url,
    dump: async () => {
      const entries: { key: string; value: string }[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await probe.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const type = await probe.type(key);
          const value =
            type === 'hash' ? JSON.stringify(await probe.hgetall(key)) : ((await probe.get(key)) ?? '');
          entries.push({ key, value });
        }
      } while (cursor !== '0');
      return entries;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      probe.disconnect();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A Redis link as the gateway makes one, logging into `logs` (searched by the leak check). */
export async function linkTo(
  redis: Pick<TestRedis, 'url'>,
  prefix: string,
  logs: string[] = [],
): Promise<RedisLink & { readonly logs: string[]; readonly logger: Logger }> {
  const logger = createLogger('trace', {
    write: (line: string) => {
      watchLine(line, 'a log line of the Redis link');
      logs.push(line);
    },
  });
  const link = await connectRedis({ url: redis.url, prefix, logger, commandTimeoutMs: 1000 });
  return Object.assign(link, { logs, logger });
}

/** Starts a `redis-server` before the tests of the enclosing file or block, and stops it after them. */
export function useRedis(): TestRedis {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const get = (): TestRedis => {
    if (!redis) throw new Error('redis-server starts in beforeAll');
    return redis;
  };
  return {
    get url() {
      return get().url;
    },
    dump: () => get().dump(),
    stop: () => get().stop(),
  };
}
