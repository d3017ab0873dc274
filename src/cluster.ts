import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { AggregatorRegistry, Registry } from 'prom-client';
import type { GatewayConfig } from './config.js';
import type { Logger } from './logger.js';
import { startMetricsServer } from './metrics.js';
import type { ResilienceOptions } from './upstream/policies.js';

/** More worker exits than there are workers within this long stop the primary (ms). */
const crashWindowMs = 10_000;

/** The message the primary sends a worker to make it drain and exit. */
export const drainMessage = 'drata-graphql-gateway:drain';

/**
 * One worker's share of the process-wide policies toward Drata, for `workers` workers behind one
 * egress address: the rate limit, the concurrency cap, the queue and the retry budget's floor are
 * divided (rounded so that the workers together never exceed the whole, and at least 1 where the
 * whole is not 0). The breaker and the timeouts are per worker as they are. With `sharedRateLimit`
 * (Redis), the rate limit is one bucket for all and stays whole.
 */
export function shareOf(
  resilience: ResilienceOptions,
  workers: number,
  options: { readonly sharedRateLimit?: boolean } = {},
): ResilienceOptions {
  if (workers <= 1) return resilience;
  const divide = (whole: number): number => (whole === 0 ? 0 : Math.max(1, Math.floor(whole / workers)));
  return {
    ...resilience,
    // A rate limit shared through Redis is one bucket for every worker: it is not divided.
    rateLimitPerMinute:
      options.sharedRateLimit === true
        ? resilience.rateLimitPerMinute
        : divide(resilience.rateLimitPerMinute),
    maxConcurrency: divide(resilience.maxConcurrency),
    maxQueue: divide(resilience.maxQueue),
    retryBudgetMinPerSecond: resilience.retryBudgetMinPerSecond / workers,
  };
}

/**
 * The rate of one process's own bucket while Redis is unreachable: the whole rate divided among every
 * process that shares it (`replicas` × `workers`), rounded down, at least 1 unless off.
 */
export function fallbackShare(rateLimitPerMinute: number, replicas: number, workers: number): number {
  if (rateLimitPerMinute === 0) return 0;
  return Math.max(1, Math.floor(rateLimitPerMinute / (Math.max(1, replicas) * Math.max(1, workers))));
}

/**
 * The primary process of `WEB_CONCURRENCY` workers: forks them (they share the gateway's port), forks
 * a new one when one dies, serves the workers' metrics added together on `METRICS_PORT`, and on
 * SIGTERM or SIGINT tells every worker to drain, then exits 0 once they all have.
 */
export async function runPrimary(config: GatewayConfig, logger: Logger): Promise<void> {
  const workers = config.workers;
  let stopping = false;
  // A worker that dies is replaced, unless workers keep dying (a port in use, a bad setting): then the
  // primary stops rather than fork in a loop.
  const recentExits: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    recentExits.push(now);
    while (recentExits.length > 0 && recentExits[0]! < now - crashWindowMs) recentExits.shift();
    if (recentExits.length > workers) {
      logger.fatal(
        { exits: recentExits.length, withinMs: crashWindowMs },
        'Workers keep exiting; stopping (see their errors above)',
      );
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      process.exit(1);
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'A worker exited; starting another');
    cluster.fork();
  });
  for (let index = 0; index < workers; index += 1) cluster.fork();
  let metricsServer: Server | undefined;
  if (config.metrics && config.metricsPort !== undefined) {
    const aggregator = new AggregatorRegistry();
    metricsServer = await startMetricsServer(
      { metrics: () => aggregator.clusterMetrics(), contentType: Registry.PROMETHEUS_CONTENT_TYPE },
      { host: config.host, port: config.metricsPort, logger },
    ).catch(() => process.exit(1));
  }
  logger.info({ workers }, `Started ${workers} workers`);

  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'Stopping now: the drain is cut short');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'Draining every worker');
    const running = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    let left = running.length;
    const done = (): void => {
      metricsServer?.closeAllConnections();
      metricsServer?.close();
      logger.info('Stopped');
      process.exit(0);
    };
    if (left === 0) done();
    for (const worker of running) {
      worker.once('exit', () => {
        left -= 1;
        if (left === 0) done();
      });
      worker.send(drainMessage);
    }
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
