import { availableParallelism } from 'node:os';
import { defaultResilience, type ResilienceOptions } from './upstream/policies.js';
import { defaultDocumentLimits, type DocumentLimits } from './document-limits.js';
import { defaultHttpOptions } from './http.js';
import { loadTrustedDocuments, TrustedDocumentsError, type TrustedDocuments } from './trusted-documents.js';
import { defaultMaxUpstreamCallsPerOperation } from './operation-budget.js';
import { defaultListReader, type ListReaderOptions } from './upstream/list-reader.js';
import { defaultCache, type CacheOptions } from './upstream/cache.js';

/** Drata's regional base URLs. Each already ends in `/public`. */
export const drataRegions = {
  us: 'https://public-api.drata.com/public',
  eu: 'https://public-api.eu.drata.com/public',
  apac: 'https://public-api.apac.drata.com/public',
} as const;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/** How the process stops on SIGTERM or SIGINT. */
export interface ShutdownOptions {
  /** How long to keep serving, with `/readyz` answering 503, before closing the listener (ms). */
  readonly delayMs: number;
  /** How long requests in flight may take to finish once the listener is closed (ms). */
  readonly graceMs: number;
}

export const defaultShutdown: ShutdownOptions = { delayMs: 0, graceMs: 10_000 };

/** Where the gateway sends its calls: a base URL, or the embedded sandbox it starts itself. */
export type Upstream = { readonly kind: 'sandbox' } | { readonly kind: 'url'; readonly baseUrl: URL };

/** The gateway's configuration, read once at start-up. */
export interface GatewayConfig {
  readonly upstream: Upstream;
  readonly port: number;
  readonly host: string;
  /** Deadlines, retries, breaker, rate limit, concurrency and size cap toward Drata. */
  readonly resilience: ResilienceOptions;
  /** How far a read of Drata's whole list (an entity lookup, a summary) may go. */
  readonly listReader: ListReaderOptions;
  /** Distinct calls to Drata one operation's `connections` fields may need. */
  readonly maxUpstreamCallsPerOperation: number;
  /** The largest request body accepted (bytes): `MAX_REQUEST_BYTES`. */
  readonly maxRequestBytes: number;
  /** The only documents to run, from the manifest at `TRUSTED_DOCUMENTS`; any document when unset. */
  readonly trustedDocuments?: TrustedDocuments;
  readonly logLevel: LogLevel;
  /** `LOG_FORMAT`: one JSON object a line, or `pretty` for people. */
  readonly logFormat: LogFormat;
  /** `SHUTDOWN_DELAY_MS` and `SHUTDOWN_GRACE_MS`. */
  readonly shutdown: ShutdownOptions;
  readonly production: boolean;
  /** Whether to serve GraphiQL to browsers: `GRAPHIQL`, by default on outside production. */
  readonly graphiql: boolean;
  /** Whether introspection answers: `INTROSPECTION`, by default on outside production. */
  readonly introspection: boolean;
  /** Origins allowed to call from a browser: `CORS_ORIGINS`; none by default. */
  readonly corsOrigins: readonly string[];
  /** Limits on documents: `MAX_ALIASES`, `MAX_DEPTH`, `MAX_DIRECTIVES`, `MAX_TOKENS`, `MAX_COST`. */
  readonly documentLimits: DocumentLimits;
  /** Whether Prometheus metrics are served at `/metrics`: `METRICS`, on by default. */
  readonly metrics: boolean;
  /** `METRICS_PORT`: serve `/metrics` on this port (and `HOST`) instead of the gateway's own port. */
  readonly metricsPort?: number;
  /** `WEB_CONCURRENCY`: worker processes behind the port; one per CPU in production, else 1. */
  readonly workers: number;
  /** `DRATA_CACHE_TTL_SECONDS` (0: off) and `DRATA_CACHE_MAX_ENTRIES`. */
  readonly cache: CacheOptions;
  /** `REDIS_URL` and `REDIS_KEY_PREFIX`: the cache and the rate limit shared by every replica. */
  readonly redis?: RedisSettings;
  /**
   * `DRATA_REPLICAS`: replicas sharing the rate limit through Redis; while Redis is unreachable each
   * process falls back to the rate divided among the replicas and their workers.
   */
  readonly replicas: number;
}

/** Where Redis is, and what every key there begins with. */
export interface RedisSettings {
  /** `redis://` or `rediss://`; it may hold a password, so it is never logged or echoed. */
  readonly url: string;
  readonly prefix: string;
}

export const defaultRedisKeyPrefix = 'drata-gateway:';

/** A configuration value that cannot be used. Its message names the variable and what it accepts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not valid: use a whole number from ${min} to ${max}.`,
    );
  }
  return Number(raw);
}

/** Whether a URL's host name is this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
const isLoopback = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);

/** `TRUSTED_DOCUMENTS`: the path of an Apollo persisted-query manifest, read once at start-up. */
function trustedDocuments(env: Env): { trustedDocuments?: TrustedDocuments } {
  const path = nonEmpty(env, 'TRUSTED_DOCUMENTS');
  if (path === undefined) return {};
  try {
    return { trustedDocuments: loadTrustedDocuments(path) };
  } catch (error) {
    if (error instanceof TrustedDocumentsError) throw new ConfigError(error.message);
    throw error;
  }
}

/** A `true`/`false` variable (any case), `fallback` when unset. */
function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = nonEmpty(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') {
    throw new ConfigError(`${name}=${JSON.stringify(env[name])} is not valid: use true or false.`);
  }
  return raw === 'true';
}

/** The metrics port of several workers when `METRICS_PORT` is unset: Prometheus' usual exporter port. */
const defaultClusterMetricsPort = 9464;

/**
 * `METRICS_PORT`, when set: a port of its own for `/metrics`, which may not be the gateway's `port`.
 * Several workers serve their metrics added together there, so it defaults for them to 9464 (9465
 * when that is `PORT`; a free port when `PORT` is 0).
 */
function metricsPort(env: Env, port: number, workers: number): { metricsPort?: number } {
  if (nonEmpty(env, 'METRICS_PORT') === undefined) {
    if (workers <= 1) return {};
    if (port === 0) return { metricsPort: 0 };
    return {
      metricsPort:
        port === defaultClusterMetricsPort ? defaultClusterMetricsPort + 1 : defaultClusterMetricsPort,
    };
  }
  const value = integer(env, 'METRICS_PORT', 0, 0, 65535);
  if (value !== 0 && value === port) {
    throw new ConfigError(
      `METRICS_PORT=${value} is not valid: it is PORT too. Use another port for the metrics, or unset METRICS_PORT to serve /metrics on PORT.`,
    );
  }
  return { metricsPort: value };
}

/** `CORS_ORIGINS`: exact origins such as `https://app.example.com`, comma-separated; never `*`. */
function corsOrigins(env: Env): readonly string[] {
  const raw = nonEmpty(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin || !['http:', 'https:'].includes(parsed.protocol)) {
      throw new ConfigError(
        `CORS_ORIGINS=${JSON.stringify(raw)} is not valid: ${JSON.stringify(origin)} is not an exact origin. List origins such as https://app.example.com, comma-separated (no path, no trailing slash, never *).`,
      );
    }
    return origin;
  });
}

/** `REDIS_URL` and `REDIS_KEY_PREFIX`, when `REDIS_URL` is set. Errors never quote the URL (it may hold a password). */
function redis(env: Env): { redis?: RedisSettings } {
  const url = nonEmpty(env, 'REDIS_URL');
  const prefix = nonEmpty(env, 'REDIS_KEY_PREFIX') ?? defaultRedisKeyPrefix;
  if (!/^[\x21-\x7e]{1,64}$/.test(prefix)) {
    throw new ConfigError(
      'REDIS_KEY_PREFIX is not valid: use up to 64 visible ASCII characters without spaces, such as drata-gateway:.',
    );
  }
  if (url === undefined) return {};
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.hostname === '') {
    throw new ConfigError(
      'REDIS_URL is not valid: use redis://host:6379 or rediss://user:password@host:6380/0 (its value is not repeated here, since it may hold a password).',
    );
  }
  return { redis: { url, prefix } };
}

function upstream(env: Env, production: boolean): Upstream {
  const raw = nonEmpty(env, 'DRATA_API_URL');
  const accepted =
    'use us, eu, apac, or a full base URL such as https://public-api.drata.com/public' +
    (production ? '' : ' (or sandbox, the default, for the embedded sandbox)');
  if (raw === undefined || raw === 'sandbox') {
    if (production) {
      throw new ConfigError(
        `DRATA_API_URL is ${raw === undefined ? 'not set' : 'sandbox'} and NODE_ENV=production: the gateway never serves sandbox data in production. Set DRATA_API_URL: ${accepted}.`,
      );
    }
    return { kind: 'sandbox' };
  }
  const name = raw.toLowerCase();
  // An own-property lookup: `constructor` or `__proto__` is not a region.
  if (Object.hasOwn(drataRegions, name)) {
    return { kind: 'url', baseUrl: new URL(drataRegions[name as keyof typeof drataRegions]) };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DRATA_API_URL=${JSON.stringify(raw)} is not valid: ${accepted}.`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(
      `DRATA_API_URL=${JSON.stringify(raw)} is not valid: it must be an http(s) URL without credentials, query or fragment; ${accepted}.`,
    );
  }
  if (production && url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError(
      `DRATA_API_URL=${JSON.stringify(raw)} is not valid with NODE_ENV=production: callers' API keys would travel in clear text. Use https (plain http is accepted for a loopback host only).`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return { kind: 'url', baseUrl: url };
}

/**
 * `DRATA_LIST_MAX_PAGES`: the pages one read of the whole list may fetch. Its former name,
 * `DRATA_ENTITY_SCAN_MAX_PAGES`, is still read (deprecated); when both are set, the new one wins
 * and the old one is not read.
 */
function listMaxPages(env: Env): number {
  if (nonEmpty(env, 'DRATA_LIST_MAX_PAGES') !== undefined) {
    return integer(env, 'DRATA_LIST_MAX_PAGES', defaultListReader.maxPages, 1, 1000);
  }
  return integer(env, 'DRATA_ENTITY_SCAN_MAX_PAGES', defaultListReader.maxPages, 1, 1000);
}

/** The variables of {@link ResilienceOptions}: name, field, bounds. Percentages become ratios. */
const resilienceVariables: readonly [
  name: string,
  field: keyof ResilienceOptions,
  min: number,
  max: number,
][] = [
  ['DRATA_TIMEOUT_MS', 'timeoutMs', 1, 600_000],
  ['DRATA_ATTEMPT_TIMEOUT_MS', 'attemptTimeoutMs', 1, 600_000],
  ['DRATA_MAX_ATTEMPTS', 'maxAttempts', 1, 3],
  ['DRATA_RETRY_BUDGET_PERCENT', 'retryBudgetRatio', 0, 100],
  ['DRATA_RETRY_BUDGET_MIN_PER_SECOND', 'retryBudgetMinPerSecond', 0, 1000],
  ['DRATA_BREAKER_THRESHOLD', 'breakerThreshold', 1, 1000],
  ['DRATA_BREAKER_COOLDOWN_MS', 'breakerCooldownMs', 1, 3_600_000],
  ['DRATA_RATE_LIMIT_PER_MINUTE', 'rateLimitPerMinute', 0, 1_000_000],
  ['DRATA_MAX_CONCURRENCY', 'maxConcurrency', 1, 1024],
  ['DRATA_MAX_QUEUE', 'maxQueue', 0, 100_000],
  ['DRATA_MAX_RESPONSE_BYTES', 'maxResponseBytes', 1024, 1024 ** 3],
];

function resilience(env: Env): ResilienceOptions {
  const options: Record<string, number> = { ...defaultResilience };
  for (const [name, field, min, max] of resilienceVariables) {
    const percent = field === 'retryBudgetRatio';
    const fallback = percent ? defaultResilience[field] * 100 : defaultResilience[field];
    const value = integer(env, name, fallback, min, max);
    options[field] = percent ? value / 100 : value;
  }
  return options as unknown as ResilienceOptions;
}

/**
 * Reads the configuration from environment variables: `DRATA_API_URL`, `PORT`, `HOST`, `LOG_LEVEL`,
 * `NODE_ENV`, `METRICS`, `METRICS_PORT`, `REDIS_URL` and the `DRATA_*` policies toward Drata (see the README). Throws {@link ConfigError} for a value it cannot use.
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const production = env['NODE_ENV'] === 'production';
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';
  if (/\s/.test(host)) {
    throw new ConfigError(
      `HOST=${JSON.stringify(host)} is not valid: use an address or host name to listen on, such as 0.0.0.0.`,
    );
  }
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const workers = integer(env, 'WEB_CONCURRENCY', production ? availableParallelism() : 1, 1, 256);
  const logLevel = (nonEmpty(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL=${JSON.stringify(env['LOG_LEVEL'])} is not valid: use one of ${logLevels.join(', ')}.`,
    );
  }
  const logFormat = (nonEmpty(env, 'LOG_FORMAT')?.toLowerCase() ?? 'json') as LogFormat;
  if (!logFormats.includes(logFormat)) {
    throw new ConfigError(
      `LOG_FORMAT=${JSON.stringify(env['LOG_FORMAT'])} is not valid: use ${logFormats.join(' or ')}.`,
    );
  }
  return {
    graphiql: flag(env, 'GRAPHIQL', !production),
    introspection: flag(env, 'INTROSPECTION', !production),
    corsOrigins: corsOrigins(env),
    documentLimits: {
      maxAliases: integer(env, 'MAX_ALIASES', defaultDocumentLimits.maxAliases, 0, 10_000),
      maxDepth: integer(env, 'MAX_DEPTH', defaultDocumentLimits.maxDepth, 1, 1000),
      maxDirectives: integer(env, 'MAX_DIRECTIVES', defaultDocumentLimits.maxDirectives, 0, 10_000),
      maxTokens: integer(env, 'MAX_TOKENS', defaultDocumentLimits.maxTokens, 10, 1_000_000),
      maxCost: integer(env, 'MAX_COST', defaultDocumentLimits.maxCost, 1, 10_000_000),
    },
    upstream: upstream(env, production),
    port,
    host,
    resilience: resilience(env),
    listReader: {
      maxPages: listMaxPages(env),
      parallelism: integer(env, 'DRATA_ENTITY_SCAN_PARALLELISM', defaultListReader.parallelism, 1, 16),
    },
    ...trustedDocuments(env),
    maxRequestBytes: integer(
      env,
      'MAX_REQUEST_BYTES',
      defaultHttpOptions.maxRequestBytes,
      1024,
      100 * 1024 * 1024,
    ),
    maxUpstreamCallsPerOperation: integer(
      env,
      'MAX_UPSTREAM_CALLS_PER_OPERATION',
      defaultMaxUpstreamCallsPerOperation,
      1,
      1000,
    ),
    cache: {
      ttlSeconds: integer(env, 'DRATA_CACHE_TTL_SECONDS', defaultCache.ttlSeconds, 0, 86_400),
      maxEntries: integer(env, 'DRATA_CACHE_MAX_ENTRIES', defaultCache.maxEntries, 1, 1_000_000),
    },
    ...redis(env),
    replicas: integer(env, 'DRATA_REPLICAS', 1, 1, 1000),
    metrics: flag(env, 'METRICS', true),
    ...metricsPort(env, port, workers),
    workers,
    logLevel,
    logFormat,
    shutdown: {
      delayMs: integer(env, 'SHUTDOWN_DELAY_MS', defaultShutdown.delayMs, 0, 600_000),
      graceMs: integer(env, 'SHUTDOWN_GRACE_MS', defaultShutdown.graceMs, 0, 600_000),
    },
    production,
  };
}
