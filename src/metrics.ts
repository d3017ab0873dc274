import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createCounter, usePrometheus, type FillLabelsFnParams } from '@graphql-yoga/plugin-prometheus';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayContext } from './context.js';
import { isErrorCode, toPublicError } from './errors.js';
import type { Logger } from './logger.js';
import type { GatewayOptions } from './server.js';
import type { AttemptResult, DrataTransport, UpstreamObserver } from './upstream/client.js';
import type { CacheMissReason, CacheStats } from './upstream/cache.js';
import type { BreakerState, UpstreamStats } from './upstream/policies.js';

/** Where the metrics are served, on the gateway's port or on the metrics port. */
export const metricsPath = '/metrics';

/** A gateway's metrics: a registry of its own, and what feeds it. */
export interface GatewayMetrics {
  /** The registry every metric of this gateway is in (never prom-client's global one). */
  readonly registry: Registry;
  /** The observer and the plugin to give `createGateway`. */
  readonly gatewayOptions: Required<Pick<GatewayOptions, 'observers' | 'plugins'>>;
  /**
   * Exposes the transport's counters and gauges, the cache's and Redis's, read at each scrape. Call
   * once, with `gateway.upstream`.
   */
  watch(upstream: Watched): void;
}

/** What the metrics read at each scrape: the transport's counters, and the cache's and Redis's when on. */
export type Watched = Pick<DrataTransport, 'stats'> & {
  readonly cache?: Readonly<CacheStats> | undefined;
  readonly redis?: { readonly fallback: boolean; readonly fallbacks: number } | undefined;
};

/** What {@link createMetrics} takes. */
export interface MetricsOptions {
  /** Answer `GET /metrics` on the gateway's own port; true by default (false when a metrics port does). */
  readonly endpoint?: boolean;
}

/** `drata_breaker_state`'s value for each state of the circuit. */
const breakerStateValue: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** Seconds: from a fast answer on the same network to Drata's slowest pages and the attempt timeout. */
const upstreamBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** The `status` label of an attempt: Drata's HTTP status, or why there was none. Always bounded. */
const statusLabel = (result: AttemptResult): string => {
  if (typeof result !== 'number') return result;
  return Number.isInteger(result) && result >= 100 && result <= 599 ? String(result) : 'other';
};

/** The transport's counters exposed as Prometheus counters: name, help, and how to read it. */
const statsCounters: readonly [name: string, help: string, read: (stats: UpstreamStats) => number][] = [
  ['drata_upstream_retries_total', 'Retries of calls to Drata (attempts after the first).', (s) => s.retries],
  [
    'drata_upstream_coalesced_total',
    'Requests that joined an identical call to Drata already in flight instead of making their own.',
    (s) => s.coalesced,
  ],
  [
    'drata_upstream_timeouts_total',
    'Calls to Drata that ran out of their deadline or whose last attempt timed out.',
    (s) => s.timeouts,
  ],
  [
    'drata_breaker_rejections_total',
    'Attempts the circuit breaker refused (open, or half-open with its probe out).',
    (s) => s.breakerRejections,
  ],
  [
    'drata_rate_limit_waits_total',
    "Attempts that waited for the gateway's own rate limit toward Drata.",
    (s) => s.rateLimitWaits,
  ],
  [
    'drata_rate_limit_rejections_total',
    "Attempts the gateway's own rate limit refused (RATE_LIMITED) because waiting would not fit the deadline.",
    (s) => s.rateLimitRejections,
  ],
  [
    'drata_queue_rejections_total',
    'Calls refused because the queue for a concurrency slot toward Drata was full.',
    (s) => s.queueRejections,
  ],
];

/** The transport's live state exposed as Prometheus gauges. */
const statsGauges: readonly [name: string, help: string, read: (stats: UpstreamStats) => number][] = [
  [
    'drata_breaker_state',
    'The circuit breaker toward Drata: 0 closed, 1 half-open, 2 open.',
    (s) => breakerStateValue[s.breakerState],
  ],
  ['drata_queue_depth', 'Calls waiting for a concurrency slot toward Drata right now.', (s) => s.queued],
  ['drata_upstream_in_flight', 'Requests to Drata in flight right now.', (s) => s.inFlight],
];

type ErrorPhase = 'parse' | 'validate' | 'context' | 'execute' | 'subscribe';

/** What the plugin tells of an error it counts. */
interface ErrorParams {
  readonly error: unknown;
  readonly errorPhase: ErrorPhase;
}

/**
 * The code an error is counted under: its own `DrataErrorCode`, the code a caller would see for it, or the
 * phase's own; `OTHER` for a code outside the SDL's `DrataErrorCode`, so that the label stays bounded.
 */
function errorCodeOf(error: unknown, phase: string): string {
  const given = error instanceof GraphQLError ? error.extensions['code'] : undefined;
  if (isErrorCode(given)) return given;
  if (phase === 'parse') return 'GRAPHQL_PARSE_FAILED';
  if (phase === 'validate') return 'GRAPHQL_VALIDATION_FAILED';
  if (!(error instanceof GraphQLError)) return 'INTERNAL_SERVER_ERROR';
  const code = toPublicError(error).extensions['code'];
  return isErrorCode(code) ? code : 'OTHER';
}

/**
 * The GraphQL side, from `@graphql-yoga/plugin-prometheus`: the HTTP duration, the phases and the
 * errors by code. Every label a caller could choose is off (operation name, URL) or never made (the
 * errors' field path).
 */
function graphqlMetrics(registry: Registry, endpoint: boolean): Plugin<GatewayContext>[] {
  const errors = createCounter<ErrorPhase, 'phase' | 'code', FillLabelsFnParams & ErrorParams>({
    registry,
    counter: {
      name: 'graphql_envelop_error_result',
      help: 'Errors in GraphQL results, by phase and error code.',
      labelNames: ['phase', 'code'],
    },
    fillLabelsFn: (params) => ({
      phase: params.errorPhase,
      code: errorCodeOf(params.error, params.errorPhase),
    }),
    // Validation is counted below, one per error: the plugin counts a failed validation once, without its errors.
    phases: ['parse', 'context', 'execute', 'subscribe'],
  });
  const countValidationErrors: Plugin<GatewayContext> = {
    onValidate:
      () =>
      ({ valid, result }) => {
        if (valid) return;
        for (const error of result) {
          errors.counter.inc({ phase: 'validate', code: errorCodeOf(error, 'validate') });
        }
      },
  };
  const prometheus = usePrometheus({
    registry,
    endpoint: endpoint ? metricsPath : false,
    labels: {
      // Chosen by the caller: unbounded.
      operationName: false,
      url: false,
      // Bounded: the HTTP method, the status, the operation type (query).
      method: true,
      statusCode: true,
      operationType: true,
    },
    metrics: {
      graphql_yoga_http_duration: true,
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_phase_parse: true,
      graphql_envelop_phase_validate: true,
      graphql_envelop_phase_context: true,
      graphql_envelop_phase_execute: true,
      graphql_envelop_error_result: errors,
      graphql_envelop_deprecated_field: true,
      graphql_envelop_schema_change: true,
      // The same timings as graphql_envelop_request_duration, as a summary that cannot be aggregated.
      graphql_envelop_request_time_summary: false,
      // The schema has no subscriptions.
      graphql_envelop_phase_subscribe: false,
      // A histogram per resolver: for debugging, not for production.
      graphql_envelop_execute_resolver: false,
    },
  });
  // The plugin is typed for yoga's base context, which a plugin of the gateway's context cannot accept
  // by variance; it reads nothing of the gateway's own context.
  return [prometheus as unknown as Plugin<GatewayContext>, countValidationErrors];
}

/**
 * Creates a gateway's metrics in a registry of their own: the GraphQL side (a yoga plugin), every
 * attempt sent to Drata (an upstream observer), the transport's counters and gauges (read at scrape
 * time once {@link GatewayMetrics.watch} is called) and the process's (prom-client's default metrics).
 * With `endpoint` (the default) the plugin answers `GET /metrics` on the gateway's port.
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({
    name: 'drata_upstream_requests_total',
    help: 'HTTP requests sent to Drata (retries included), by Drata\'s status, or "timeout", "network" or "cancelled".',
    labelNames: ['status'],
    registers,
  });
  const duration = new Histogram({
    name: 'drata_upstream_request_duration_seconds',
    help: 'How long each request sent to Drata took, from sending to its last byte or its failure, by status as in drata_upstream_requests_total.',
    labelNames: ['status'],
    buckets: upstreamBuckets,
    registers,
  });
  const observer: UpstreamObserver = {
    attemptStarted: () => {
      const startedAt = performance.now();
      return {
        end: (result) => {
          const status = statusLabel(result);
          requests.inc({ status });
          duration.observe({ status }, (performance.now() - startedAt) / 1000);
        },
      };
    },
  };

  let watched: Watched | undefined;
  new Counter({
    name: 'drata_cache_hits_total',
    help: 'Pages served from the cache of Drata\'s answers (DRATA_CACHE_TTL_SECONDS) instead of calling Drata, by store ("memory" or "redis").',
    labelNames: ['store'],
    registers,
    collect() {
      this.reset();
      const cache = watched?.cache;
      if (cache) this.inc({ store: cache.store }, cache.hits);
    },
  });
  new Counter({
    name: 'drata_cache_misses_total',
    help: 'Pages the cache did not serve, by store and reason: "absent" (none kept, or expired), "bypass" (Cache-Control: no-cache), "unavailable" (Redis failed).',
    labelNames: ['store', 'reason'],
    registers,
    collect() {
      this.reset();
      const cache = watched?.cache;
      if (!cache) return;
      for (const reason of Object.keys(cache.misses) as CacheMissReason[]) {
        this.inc({ store: cache.store, reason }, cache.misses[reason]);
      }
    },
  });
  new Gauge({
    name: 'drata_redis_fallback',
    help: "1 while Redis (REDIS_URL) is unreachable and the gateway works without it (no shared cache, this process's share of the rate limit); 0 otherwise.",
    registers,
    collect() {
      this.set(watched?.redis?.fallback === true ? 1 : 0);
    },
  });
  new Counter({
    name: 'drata_redis_fallbacks_total',
    help: 'Times the gateway fell back from Redis to working without it.',
    registers,
    collect() {
      this.reset();
      if (watched?.redis) this.inc(watched.redis.fallbacks);
    },
  });

  let stats: Readonly<UpstreamStats> | undefined;
  for (const [name, help, read] of statsCounters) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        if (stats) this.inc(read(stats));
      },
    });
  }
  for (const [name, help, read] of statsGauges) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(stats ? read(stats) : 0);
      },
    });
  }

  return {
    registry,
    gatewayOptions: {
      observers: [observer],
      plugins: graphqlMetrics(registry, options.endpoint ?? true),
    },
    watch: (upstream) => {
      stats = upstream.stats;
      watched = upstream;
    },
  };
}

/** Where {@link startMetricsServer} listens. */
export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
}

/**
 * Serves `GET /metrics` from `registry` on a port of its own (`METRICS_PORT`), so that it need not be
 * public; every other path is 404. Resolves with the server once it listens (and has logged where);
 * rejects, having logged it, when it cannot listen.
 */
export async function startMetricsServer(
  registry: Pick<Registry, 'metrics' | 'contentType'>,
  options: MetricsServerOptions,
): Promise<Server> {
  const { host, port, logger } = options;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (path !== metricsPath) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('Method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Collecting the metrics failed');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal error\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      logger.fatal({ err: error }, `Cannot listen on ${host}:${port} for the metrics`);
      reject(error);
    });
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const metricsUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}${metricsPath}`;
  logger.info({ metricsUrl }, `Metrics at ${metricsUrl}`);
  return server;
}
