import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { drainMessage, fallbackShare, runPrimary, shareOf } from './cluster.js';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { createHttpServer, defaultHttpOptions, drain } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics, startMetricsServer } from './metrics.js';
import { createGateway } from './server.js';
import { helpText } from './settings.js';
import { startTracing } from './tracing.js';

const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** Answers `--help` and `--version`; refuses any other argument. Returns whether to go on and serve. */
function commandLine(args: readonly string[]): boolean {
  if (args.length === 0) return true;
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    process.stdout.write(helpText(name, version));
    return false;
  }
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    process.stdout.write(`${version}\n`);
    return false;
  }
  process.stderr.write(`${name}: unknown argument ${JSON.stringify(args[0])}; see ${name} --help\n`);
  process.exit(2);
}

/**
 * Starts the gateway as configured by the environment. On SIGTERM or SIGINT it drains: `/readyz`
 * answers 503, the listener closes, requests in flight have `SHUTDOWN_GRACE_MS` to finish, then the
 * pool toward Drata closes and the process exits 0. A second signal ends the waits at once.
 */
async function main(): Promise<void> {
  if (!commandLine(process.argv.slice(2))) return;
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  // Several workers: this process forks them and waits; each worker runs the rest.
  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary(config, logger);
    return;
  }
  const worker = config.workers > 1;
  // The sandbox is loaded only when it is used.
  const sandboxModule = config.upstream.kind === 'sandbox' ? await import('./sandbox/server.js') : undefined;
  const sandbox = await sandboxModule?.startSandbox();
  const baseUrl = config.upstream.kind === 'sandbox' ? sandbox!.baseUrl : config.upstream.baseUrl;
  // OpenTelemetry traces, when the OTEL_* variables ask for them.
  const tracing = await startTracing(process.env, logger);
  // Prometheus metrics, unless METRICS=false; on their own port with METRICS_PORT.
  const metrics = config.metrics ? createMetrics({ endpoint: config.metricsPort === undefined }) : undefined;
  // A worker's metrics are served by the primary, added to the other workers'.
  if (metrics && worker) {
    AggregatorRegistry.setRegistries([metrics.registry]);
    // Making one registers the worker's answer to the primary's requests for its metrics.
    new AggregatorRegistry();
  }
  // Redis, when REDIS_URL is set: ioredis is loaded only then. An unreachable Redis does not stop start-up.
  const redisLink = config.redis
    ? await (
        await import('./upstream/redis.js')
      ).connectRedis({ url: config.redis.url, prefix: config.redis.prefix, logger })
    : undefined;
  const gateway = createGateway({
    baseUrl,
    // A worker takes its share of the policies toward Drata; a rate limit shared in Redis stays whole.
    resilience: shareOf(config.resilience, config.workers, { sharedRateLimit: redisLink !== undefined }),
    cache: config.cache,
    ...(redisLink
      ? {
          redis: {
            link: redisLink,
            fallbackRateLimitPerMinute: fallbackShare(
              config.resilience.rateLimitPerMinute,
              config.replicas,
              config.workers,
            ),
          },
        }
      : {}),
    listReader: config.listReader,
    maxUpstreamCallsPerOperation: config.maxUpstreamCallsPerOperation,
    documentLimits: config.documentLimits,
    production: config.production,
    introspection: config.introspection,
    corsOrigins: config.corsOrigins,
    ...(config.trustedDocuments ? { trustedDocuments: config.trustedDocuments } : {}),
    logger,
    graphiql: config.graphiql ? (sandbox ? 'sandbox' : 'drata') : false,
    plugins: [...(tracing ? [tracing.plugin] : []), ...(metrics?.gatewayOptions.plugins ?? [])],
    observers: [...(tracing ? [tracing.observer] : []), ...(metrics?.gatewayOptions.observers ?? [])],
    ...(tracing ? { traceOf: tracing.traceOf, traceIdOf: tracing.traceIdOf } : {}),
  });
  metrics?.watch(gateway.upstream);
  // The metrics port stays open while the gateway drains, and closes last.
  const metricsServer =
    metrics && config.metricsPort !== undefined && !worker
      ? await startMetricsServer(metrics.registry, {
          host: config.host,
          port: config.metricsPort,
          logger,
        }).catch(() => process.exit(1))
      : undefined;
  const server = createHttpServer(gateway, {
    ...defaultHttpOptions,
    maxRequestBytes: config.maxRequestBytes,
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, `Cannot listen on ${config.host}:${config.port}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const graphqlUrl = `http://${host}:${port}/graphql`;
    if (sandbox) {
      logger.info(
        { graphqlUrl, upstream: 'sandbox' },
        `Gateway ready at ${graphqlUrl} on the embedded sandbox (not Drata): send "Authorization: Bearer ${sandboxModule!.sandboxToken}"`,
      );
    } else {
      logger.info(
        { graphqlUrl, upstream: baseUrl.origin },
        `Gateway ready at ${graphqlUrl}, calling Drata at ${baseUrl.origin}`,
      );
    }
  });

  let stopping: AbortController | undefined;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      logger.warn({ signal }, 'Stopping now: the drain is cut short');
      stopping.abort();
      return;
    }
    stopping = new AbortController();
    logger.info(
      { signal, delayMs: config.shutdown.delayMs, graceMs: config.shutdown.graceMs },
      'Draining: /readyz answers 503 and requests in flight are finishing',
    );
    const { finished, cut } = await drain(server, config.shutdown, stopping.signal);
    if (cut > 0) {
      logger.warn(
        { cut },
        'Requests were still unanswered when the drain ended; their connections were closed',
      );
    }
    await Promise.all([gateway.close(), sandbox?.close(), tracing?.shutdown()]);
    await redisLink?.close();
    metricsServer?.closeAllConnections();
    await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
    logger.info({ finished, cut }, 'Stopped');
    process.exit(0);
  };
  if (worker) {
    // The primary says when to drain. A signal to the whole process group (a terminal's Ctrl-C,
    // systemd) reaches the workers too: they leave it to the primary, so that it drains them once.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => undefined);
    process.on('message', (message) => {
      if (message === drainMessage) void stop('drain');
    });
  } else {
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  }
}

await main();
