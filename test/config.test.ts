import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { defaultResilience } from '../src/upstream/policies.js';

describe('loadConfig', () => {
  it('defaults to the sandbox on 127.0.0.1:4000 with a 15 s deadline', () => {
    expect(loadConfig({})).toEqual({
      upstream: { kind: 'sandbox' },
      port: 4000,
      host: '127.0.0.1',
      resilience: {
        timeoutMs: 15000,
        attemptTimeoutMs: 10000,
        maxAttempts: 3,
        backoffBaseMs: 100,
        backoffCapMs: 2000,
        retryBudgetRatio: 0.1,
        retryBudgetMinPerSecond: 1,
        breakerThreshold: 5,
        breakerCooldownMs: 30000,
        rateLimitPerMinute: 400,
        maxConcurrency: 16,
        maxQueue: 100,
        maxResponseBytes: 5 * 1024 * 1024,
      },
      listReader: { maxPages: 40, parallelism: 4 },
      maxUpstreamCallsPerOperation: 10,
      maxRequestBytes: 262144,
      logLevel: 'info',
      logFormat: 'json',
      workers: 1,
      shutdown: { delayMs: 0, graceMs: 10_000 },
      production: false,
      graphiql: true,
      introspection: true,
      corsOrigins: [],
      documentLimits: { maxAliases: 30, maxDepth: 15, maxDirectives: 20, maxTokens: 2000, maxCost: 5000 },
      metrics: true,
      cache: { ttlSeconds: 0, maxEntries: 1000 },
      replicas: 1,
    });
  });

  it.each([
    [{}, true],
    [{ NODE_ENV: 'production', DRATA_API_URL: 'us' }, false],
    [{ NODE_ENV: 'production', DRATA_API_URL: 'us', GRAPHIQL: 'true' }, true],
    [{ GRAPHIQL: 'FALSE' }, false],
  ])('GraphiQL with %o: %s', (env, graphiql) => {
    expect(loadConfig(env).graphiql).toBe(graphiql);
  });

  it.each([
    [{}, true],
    [{ NODE_ENV: 'production', DRATA_API_URL: 'us' }, false],
    [{ NODE_ENV: 'production', DRATA_API_URL: 'us', INTROSPECTION: 'true' }, true],
    [{ INTROSPECTION: 'false' }, false],
  ])('introspection with %o: %s', (env, introspection) => {
    expect(loadConfig(env).introspection).toBe(introspection);
  });

  it.each([
    ['us', 'https://public-api.drata.com/public'],
    ['EU', 'https://public-api.eu.drata.com/public'],
    ['apac', 'https://public-api.apac.drata.com/public'],
    ['https://drata.example.com/public/', 'https://drata.example.com/public'],
    ['http://127.0.0.1:8080/public', 'http://127.0.0.1:8080/public'],
    ['http://127.10.0.3/public', 'http://127.10.0.3/public'],
    ['http://localhost:8080/public', 'http://localhost:8080/public'],
    ['http://[::1]:8080/public', 'http://[::1]:8080/public'],
  ])('DRATA_API_URL=%s is %s', (value, href) => {
    const config = loadConfig({ DRATA_API_URL: value, NODE_ENV: 'production' });
    expect(config.upstream).toEqual({ kind: 'url', baseUrl: new URL(href) });
    expect(config.production).toBe(true);
  });

  it('outside production a plain http base URL on any host is accepted (for a local Drata stand-in)', () => {
    expect(loadConfig({ DRATA_API_URL: 'http://drata.internal:8080/public' }).upstream).toEqual({
      kind: 'url',
      baseUrl: new URL('http://drata.internal:8080/public'),
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        DRATA_API_URL: 'sandbox',
        PORT: '8080',
        HOST: '0.0.0.0',
        DRATA_TIMEOUT_MS: '2500',
        DRATA_ATTEMPT_TIMEOUT_MS: '1000',
        DRATA_MAX_ATTEMPTS: '2',
        DRATA_RETRY_BUDGET_PERCENT: '20',
        DRATA_RETRY_BUDGET_MIN_PER_SECOND: '0',
        DRATA_BREAKER_THRESHOLD: '3',
        DRATA_BREAKER_COOLDOWN_MS: '5000',
        DRATA_RATE_LIMIT_PER_MINUTE: '0',
        DRATA_MAX_CONCURRENCY: '4',
        DRATA_MAX_QUEUE: '0',
        DRATA_MAX_RESPONSE_BYTES: '1048576',
        DRATA_LIST_MAX_PAGES: '10',
        DRATA_ENTITY_SCAN_PARALLELISM: '2',
        MAX_UPSTREAM_CALLS_PER_OPERATION: '25',
        MAX_REQUEST_BYTES: '65536',
        INTROSPECTION: 'FALSE',
        CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
        MAX_ALIASES: '5',
        MAX_DEPTH: '6',
        MAX_DIRECTIVES: '7',
        MAX_TOKENS: '800',
        MAX_COST: '900',
        METRICS_PORT: '9464',
        LOG_LEVEL: 'DEBUG',
        LOG_FORMAT: 'Pretty',
        SHUTDOWN_DELAY_MS: '5000',
        SHUTDOWN_GRACE_MS: '20000',
        DRATA_CACHE_TTL_SECONDS: '30',
        DRATA_CACHE_MAX_ENTRIES: '500',
        REDIS_URL: 'rediss://gateway:pw-8e1c@redis.internal:6380/2',
        REDIS_KEY_PREFIX: 'drata-eu:',
        DRATA_REPLICAS: '3',
      }),
    ).toEqual({
      upstream: { kind: 'sandbox' },
      port: 8080,
      host: '0.0.0.0',
      resilience: {
        ...defaultResilience,
        timeoutMs: 2500,
        attemptTimeoutMs: 1000,
        maxAttempts: 2,
        retryBudgetRatio: 0.2,
        retryBudgetMinPerSecond: 0,
        breakerThreshold: 3,
        breakerCooldownMs: 5000,
        rateLimitPerMinute: 0,
        maxConcurrency: 4,
        maxQueue: 0,
        maxResponseBytes: 1048576,
      },
      listReader: { maxPages: 10, parallelism: 2 },
      maxUpstreamCallsPerOperation: 25,
      maxRequestBytes: 65536,
      logLevel: 'debug',
      logFormat: 'pretty',
      workers: 1,
      shutdown: { delayMs: 5000, graceMs: 20_000 },
      production: false,
      graphiql: true,
      introspection: false,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      documentLimits: { maxAliases: 5, maxDepth: 6, maxDirectives: 7, maxTokens: 800, maxCost: 900 },
      metrics: true,
      metricsPort: 9464,
      cache: { ttlSeconds: 30, maxEntries: 500 },
      redis: { url: 'rediss://gateway:pw-8e1c@redis.internal:6380/2', prefix: 'drata-eu:' },
      replicas: 3,
    });
  });

  it.each<[Record<string, string>, number]>([
    [{}, 40],
    [{ DRATA_LIST_MAX_PAGES: '7' }, 7],
    // The deprecated name is still read when the new one is unset.
    [{ DRATA_ENTITY_SCAN_MAX_PAGES: '12' }, 12],
    [{ DRATA_ENTITY_SCAN_MAX_PAGES: '12', DRATA_LIST_MAX_PAGES: ' ' }, 12],
    // Both set: the new name wins, and the old one is not read at all.
    [{ DRATA_ENTITY_SCAN_MAX_PAGES: '12', DRATA_LIST_MAX_PAGES: '3' }, 3],
    [{ DRATA_ENTITY_SCAN_MAX_PAGES: 'many', DRATA_LIST_MAX_PAGES: '3' }, 3],
  ])('the list page cap with %o: %d', (env, maxPages) => {
    expect(loadConfig(env).listReader).toEqual({ maxPages, parallelism: 4 });
  });

  it.each([
    ['DRATA_LIST_MAX_PAGES', '0'],
    ['DRATA_LIST_MAX_PAGES', '1001'],
    ['DRATA_ENTITY_SCAN_MAX_PAGES', '0'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new ConfigError(`${name}="${value}" is not valid: use a whole number from 1 to 1000.`),
    );
  });

  it.each([
    [{}, undefined],
    [{ REDIS_URL: ' ' }, undefined],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { url: 'redis://127.0.0.1:6379', prefix: 'drata-gateway:' }],
    [
      { REDIS_URL: 'redis://127.0.0.1', REDIS_KEY_PREFIX: 'a:' },
      { url: 'redis://127.0.0.1', prefix: 'a:' },
    ],
  ])('Redis with %o: %o', (env, redis) => {
    expect(loadConfig(env).redis).toEqual(redis);
  });

  it.each([
    [{}, { metrics: true }],
    [{ METRICS: 'FALSE' }, { metrics: false }],
    [
      { METRICS: 'true', METRICS_PORT: '9464' },
      { metrics: true, metricsPort: 9464 },
    ],
    [{ METRICS_PORT: ' ' }, { metrics: true }],
    [{ METRICS_PORT: '0' }, { metrics: true, metricsPort: 0 }],
    [
      { PORT: '0', METRICS_PORT: '0' },
      { metrics: true, metricsPort: 0 },
    ],
  ])('metrics with %o: %o', (env, expected) => {
    const { metrics, metricsPort } = loadConfig(env);
    expect({ metrics, ...(metricsPort !== undefined ? { metricsPort } : {}) }).toEqual(expected);
  });

  it.each<[Record<string, string>, string]>([
    [
      { NODE_ENV: 'production' },
      'DRATA_API_URL is not set and NODE_ENV=production: the gateway never serves sandbox data in production. Set DRATA_API_URL: use us, eu, apac, or a full base URL such as https://public-api.drata.com/public.',
    ],
    [
      { NODE_ENV: 'production', DRATA_API_URL: 'sandbox' },
      'DRATA_API_URL is sandbox and NODE_ENV=production: the gateway never serves sandbox data in production. Set DRATA_API_URL: use us, eu, apac, or a full base URL such as https://public-api.drata.com/public.',
    ],
    [
      { DRATA_API_URL: 'mars' },
      'DRATA_API_URL="mars" is not valid: use us, eu, apac, or a full base URL such as https://public-api.drata.com/public (or sandbox, the default, for the embedded sandbox).',
    ],
    [
      { DRATA_API_URL: 'ftp://drata.example.com/public' },
      'DRATA_API_URL="ftp://drata.example.com/public" is not valid: it must be an http(s) URL without credentials, query or fragment; use us, eu, apac, or a full base URL such as https://public-api.drata.com/public (or sandbox, the default, for the embedded sandbox).',
    ],
    [
      { DRATA_API_URL: 'https://user:pw@drata.example.com/public' },
      'DRATA_API_URL="https://user:pw@drata.example.com/public" is not valid: it must be an http(s) URL without credentials, query or fragment; use us, eu, apac, or a full base URL such as https://public-api.drata.com/public (or sandbox, the default, for the embedded sandbox).',
    ],
    ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].map(
      (name): [Record<string, string>, string] => [
        { DRATA_API_URL: name },
        `DRATA_API_URL="${name}" is not valid: use us, eu, apac, or a full base URL such as https://public-api.drata.com/public (or sandbox, the default, for the embedded sandbox).`,
      ],
    ),
    ...[
      'http://drata.example.com/public',
      'http://10.0.0.7:8080/public',
      'http://127.evil.example/public',
    ].map((url): [Record<string, string>, string] => [
      { NODE_ENV: 'production', DRATA_API_URL: url },
      `DRATA_API_URL="${url}" is not valid with NODE_ENV=production: callers' API keys would travel in clear text. Use https (plain http is accepted for a loopback host only).`,
    ]),
    [{ PORT: 'http' }, 'PORT="http" is not valid: use a whole number from 0 to 65535.'],
    [{ PORT: '70000' }, 'PORT="70000" is not valid: use a whole number from 0 to 65535.'],
    [{ DRATA_TIMEOUT_MS: '0' }, 'DRATA_TIMEOUT_MS="0" is not valid: use a whole number from 1 to 600000.'],
    [
      { DRATA_TIMEOUT_MS: '1.5' },
      'DRATA_TIMEOUT_MS="1.5" is not valid: use a whole number from 1 to 600000.',
    ],
    [{ DRATA_MAX_ATTEMPTS: '4' }, 'DRATA_MAX_ATTEMPTS="4" is not valid: use a whole number from 1 to 3.'],
    [
      { DRATA_RETRY_BUDGET_PERCENT: '101' },
      'DRATA_RETRY_BUDGET_PERCENT="101" is not valid: use a whole number from 0 to 100.',
    ],
    [
      { DRATA_MAX_CONCURRENCY: '0' },
      'DRATA_MAX_CONCURRENCY="0" is not valid: use a whole number from 1 to 1024.',
    ],
    [{ GRAPHIQL: 'yes' }, 'GRAPHIQL="yes" is not valid: use true or false.'],
    [{ INTROSPECTION: '1' }, 'INTROSPECTION="1" is not valid: use true or false.'],
    ...[
      '*',
      'https://app.example.com/',
      'app.example.com',
      'https://app.example.com/path',
      'ftp://files.example.com',
    ].map((origin): [Record<string, string>, string] => [
      { CORS_ORIGINS: `https://ok.example.com,${origin}` },
      `CORS_ORIGINS=${JSON.stringify(`https://ok.example.com,${origin}`)} is not valid: ${JSON.stringify(origin)} is not an exact origin. List origins such as https://app.example.com, comma-separated (no path, no trailing slash, never *).`,
    ]),
    [{ METRICS: 'on' }, 'METRICS="on" is not valid: use true or false.'],
    [{ METRICS_PORT: 'metrics' }, 'METRICS_PORT="metrics" is not valid: use a whole number from 0 to 65535.'],
    [{ METRICS_PORT: '65536' }, 'METRICS_PORT="65536" is not valid: use a whole number from 0 to 65535.'],
    [
      { METRICS_PORT: '4000' },
      'METRICS_PORT=4000 is not valid: it is PORT too. Use another port for the metrics, or unset METRICS_PORT to serve /metrics on PORT.',
    ],
    [
      { PORT: '9464', METRICS_PORT: '9464' },
      'METRICS_PORT=9464 is not valid: it is PORT too. Use another port for the metrics, or unset METRICS_PORT to serve /metrics on PORT.',
    ],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL="loud" is not valid: use one of fatal, error, warn, info, debug, trace, silent.',
    ],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT="text" is not valid: use json or pretty.'],
    [
      { SHUTDOWN_GRACE_MS: '-1' },
      'SHUTDOWN_GRACE_MS="-1" is not valid: use a whole number from 0 to 600000.',
    ],
    [
      { SHUTDOWN_DELAY_MS: '600001' },
      'SHUTDOWN_DELAY_MS="600001" is not valid: use a whole number from 0 to 600000.',
    ],
    [
      { DRATA_CACHE_TTL_SECONDS: '-5' },
      'DRATA_CACHE_TTL_SECONDS="-5" is not valid: use a whole number from 0 to 86400.',
    ],
    [
      { DRATA_CACHE_TTL_SECONDS: '86401' },
      'DRATA_CACHE_TTL_SECONDS="86401" is not valid: use a whole number from 0 to 86400.',
    ],
    [
      { DRATA_CACHE_MAX_ENTRIES: '0' },
      'DRATA_CACHE_MAX_ENTRIES="0" is not valid: use a whole number from 1 to 1000000.',
    ],
    [{ DRATA_REPLICAS: '0' }, 'DRATA_REPLICAS="0" is not valid: use a whole number from 1 to 1000.'],
    ...['http://redis.internal:6379', 'pw-3f9a@redis.internal', 'redis://'].map(
      (url): [Record<string, string>, string] => [
        { REDIS_URL: url },
        'REDIS_URL is not valid: use redis://host:6379 or rediss://user:password@host:6380/0 (its value is not repeated here, since it may hold a password).',
      ],
    ),
    [
      { REDIS_KEY_PREFIX: 'has space' },
      'REDIS_KEY_PREFIX is not valid: use up to 64 visible ASCII characters without spaces, such as drata-gateway:.',
    ],
    [
      { HOST: 'local host' },
      'HOST="local host" is not valid: use an address or host name to listen on, such as 0.0.0.0.',
    ],
  ])('%o is refused with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
