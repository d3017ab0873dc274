/** One environment variable the gateway reads. */
export interface Setting {
  readonly name: string;
  /** Its default, as text; empty when unset means "off" or "none". */
  readonly default: string;
  readonly meaning: string;
}

/** Every setting, in the groups `--help` prints them in. The README's tables say the same at length. */
export const settings: readonly { readonly group: string; readonly settings: readonly Setting[] }[] = [
  {
    group: 'Serving',
    settings: [
      {
        name: 'DRATA_API_URL',
        default: 'sandbox',
        meaning: 'us, eu, apac, sandbox, or a base URL ending in /public; required with NODE_ENV=production',
      },
      { name: 'PORT', default: '4000', meaning: 'the port to listen on (0 picks a free one)' },
      { name: 'HOST', default: '127.0.0.1', meaning: 'the address to listen on; 0.0.0.0 in a container' },
      {
        name: 'WEB_CONCURRENCY',
        default: '1 (one per CPU in production)',
        meaning: 'worker processes on the one port; each takes its share of the limits toward Drata',
      },
      {
        name: 'NODE_ENV',
        default: '',
        meaning: 'production: DRATA_API_URL required, GraphiQL, introspection and hints off',
      },
      { name: 'GRAPHIQL', default: 'true (false in production)', meaning: 'serve GraphiQL at /graphql' },
      {
        name: 'INTROSPECTION',
        default: 'true (false in production)',
        meaning: 'answer __schema and __type',
      },
      { name: 'CORS_ORIGINS', default: '', meaning: 'exact origins allowed from browsers, comma-separated' },
      {
        name: 'TRUSTED_DOCUMENTS',
        default: '',
        meaning: 'path of a persisted-query manifest: run only those',
      },
    ],
  },
  {
    group: 'Limits per request',
    settings: [
      { name: 'MAX_REQUEST_BYTES', default: '262144', meaning: 'the largest request body read' },
      {
        name: 'MAX_UPSTREAM_CALLS_PER_OPERATION',
        default: '10',
        meaning: 'distinct calls to Drata one operation may need',
      },
      { name: 'MAX_ALIASES', default: '30', meaning: 'aliases per operation' },
      { name: 'MAX_DEPTH', default: '15', meaning: 'depth of a document' },
      { name: 'MAX_DIRECTIVES', default: '20', meaning: 'directives per operation' },
      { name: 'MAX_TOKENS', default: '2000', meaning: 'tokens per document' },
      { name: 'MAX_COST', default: '5000', meaning: 'cost of an operation' },
    ],
  },
  {
    group: 'Calling Drata',
    settings: [
      { name: 'DRATA_TIMEOUT_MS', default: '15000', meaning: 'deadline of a whole call, retries included' },
      { name: 'DRATA_ATTEMPT_TIMEOUT_MS', default: '10000', meaning: 'timeout of one attempt' },
      { name: 'DRATA_MAX_ATTEMPTS', default: '3', meaning: 'attempts per call, the first included (1..3)' },
      { name: 'DRATA_RETRY_BUDGET_PERCENT', default: '10', meaning: 'retries as a share of calls' },
      {
        name: 'DRATA_RETRY_BUDGET_MIN_PER_SECOND',
        default: '1',
        meaning: 'retries allowed per second anyway',
      },
      {
        name: 'DRATA_BREAKER_THRESHOLD',
        default: '5',
        meaning: 'consecutive failures that open the circuit',
      },
      { name: 'DRATA_BREAKER_COOLDOWN_MS', default: '30000', meaning: 'how long an open circuit stays open' },
      {
        name: 'DRATA_RATE_LIMIT_PER_MINUTE',
        default: '400',
        meaning: 'the rate toward Drata (0: off): per process, or shared by every replica with REDIS_URL',
      },
      { name: 'DRATA_MAX_CONCURRENCY', default: '16', meaning: 'requests in flight toward Drata' },
      { name: 'DRATA_MAX_QUEUE', default: '100', meaning: 'calls that may wait for a free slot' },
      { name: 'DRATA_MAX_RESPONSE_BYTES', default: '5242880', meaning: 'the largest answer accepted' },
      {
        name: 'DRATA_LIST_MAX_PAGES',
        default: '40',
        meaning: 'pages one read of the whole list (entity lookup, summary) may fetch',
      },
      {
        name: 'DRATA_ENTITY_SCAN_MAX_PAGES',
        default: '',
        meaning: 'deprecated name of DRATA_LIST_MAX_PAGES, read when that is unset',
      },
      {
        name: 'DRATA_ENTITY_SCAN_PARALLELISM',
        default: '4',
        meaning: 'pages a read of the whole list fetches at once',
      },
    ],
  },
  {
    group: 'Cache and Redis',
    settings: [
      {
        name: 'DRATA_CACHE_TTL_SECONDS',
        default: '0',
        meaning: "seconds a caller's page from Drata is reused for the same request (0: off)",
      },
      {
        name: 'DRATA_CACHE_MAX_ENTRIES',
        default: '1000',
        meaning: 'pages the in-memory cache keeps at most',
      },
      {
        name: 'REDIS_URL',
        default: '',
        meaning: 'redis:// or rediss:// URL: the cache and the rate limit shared by every replica',
      },
      { name: 'REDIS_KEY_PREFIX', default: 'drata-gateway:', meaning: 'what every Redis key begins with' },
      {
        name: 'DRATA_REPLICAS',
        default: '1',
        meaning: 'replicas sharing Redis: while it is unreachable, each uses the rate divided among them',
      },
    ],
  },
  {
    group: 'Operating',
    settings: [
      {
        name: 'LOG_LEVEL',
        default: 'info',
        meaning: 'fatal, error, warn, info (one line per operation), debug, trace, silent',
      },
      { name: 'LOG_FORMAT', default: 'json', meaning: 'json, or pretty for people reading a terminal' },
      { name: 'METRICS', default: 'true', meaning: 'serve Prometheus metrics at /metrics' },
      {
        name: 'METRICS_PORT',
        default: '',
        meaning: 'serve /metrics on this port only, not on PORT (9464 with several workers)',
      },
      {
        name: 'SHUTDOWN_GRACE_MS',
        default: '10000',
        meaning: 'on SIGTERM/SIGINT, how long requests in flight may take to finish',
      },
      {
        name: 'SHUTDOWN_DELAY_MS',
        default: '0',
        meaning: 'on SIGTERM/SIGINT, how long to keep serving with /readyz at 503 before closing',
      },
      {
        name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        default: '',
        meaning: 'send traces by OTLP here (with the other standard OTEL_* variables); none when unset',
      },
    ],
  },
];

/** The text of `--help`. */
export function helpText(name: string, version: string): string {
  const width = Math.max(
    ...settings.flatMap((group) => group.settings.map((setting) => setting.name.length)),
  );
  const lines = [
    `${name} ${version}: a GraphQL gateway over Drata's public API.`,
    '',
    `Usage: ${name} [--help | --version]`,
    '',
    'Every setting is an environment variable. With none set, it serves an embedded sandbox on',
    'http://127.0.0.1:4000/graphql (send "Authorization: Bearer sandbox-token").',
  ];
  for (const group of settings) {
    lines.push('', `${group.group}:`);
    for (const setting of group.settings) {
      const fallback = setting.default === '' ? '' : ` (default: ${setting.default})`;
      lines.push(`  ${setting.name.padEnd(width)}  ${setting.meaning}${fallback}`);
    }
  }
  lines.push('', 'Endpoints: /graphql, /healthz, /readyz, /metrics.', '');
  return lines.join('\n');
}
