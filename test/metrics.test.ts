import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import {
  close,
  createTestClock,
  drataItem,
  drataPage,
  graphql,
  listen,
  sendJson,
  startGateway,
  startUpstream,
  until,
  type GatewayTestOptions,
  type RunningGateway,
  type TestUpstream,
} from './helpers.js';
import { recordCredential, watchStream } from './leak-check.js';

const secret = 'tok-metrics-7f3a';
const auth = { authorization: `Bearer ${secret}` };
const query = '{ connections { total } }';
const ok = { data: { connections: { total: 1 } } };
const prometheusText = 'text/plain; version=0.0.4; charset=utf-8';

/** One sample of a scrape. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const unescape = (value: string): string =>
  value.replace(/\\(.)/g, (_match, character: string) => (character === 'n' ? '\n' : character));

/** Parses Prometheus text (format 0.0.4) into its samples; comments and blank lines are skipped. */
function parseScrape(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[name!] = unescape(value!);
      }
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** A sample's key: its name and its labels, in order, as Prometheus prints them. */
const keyOf = (sample: Sample): string => {
  const labels = Object.entries(sample.labels).map(([name, value]) => `${name}="${value}"`);
  return labels.length ? `${sample.name}{${labels.join(',')}}` : sample.name;
};

/** The samples whose name starts with `prefix`, by key; histogram buckets and sums are left out. */
const valuesOf = (samples: readonly Sample[], prefix: string): Record<string, number> =>
  Object.fromEntries(
    samples
      .filter(({ name }) => name.startsWith(prefix) && !name.endsWith('_bucket') && !name.endsWith('_sum'))
      .map((sample) => [keyOf(sample), sample.value]),
  );

/** The Drata side of a gateway that has done nothing yet. */
const idle = {
  drata_breaker_rejections_total: 0,
  drata_breaker_state: 0,
  drata_queue_depth: 0,
  drata_queue_rejections_total: 0,
  drata_rate_limit_rejections_total: 0,
  drata_rate_limit_waits_total: 0,
  drata_redis_fallback: 0,
  drata_redis_fallbacks_total: 0,
  drata_upstream_coalesced_total: 0,
  drata_upstream_in_flight: 0,
  drata_upstream_retries_total: 0,
  drata_upstream_timeouts_total: 0,
};

/** `drata_upstream_requests_total` and the duration histogram's count for `status`, both `count`. */
const attempts = (status: string, count: number): Record<string, number> => ({
  [`drata_upstream_requests_total{status="${status}"}`]: count,
  [`drata_upstream_request_duration_seconds_count{status="${status}"}`]: count,
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A gateway with metrics, the upstream behind it (unless `baseUrl` is given), and its scrape. */
interface Metered {
  readonly gateway: RunningGateway;
  readonly upstream: TestUpstream;
  /** GETs `/metrics` on the gateway's port and parses it. */
  readonly scrape: () => Promise<Sample[]>;
  /** The Drata side of a scrape. */
  readonly drata: () => Promise<Record<string, number>>;
}

async function metered(
  handler: Parameters<typeof startUpstream>[0],
  options: Omit<GatewayTestOptions, 'telemetry' | 'baseUrl'> & { baseUrl?: URL } = {},
): Promise<Metered> {
  const upstream = await startUpstream(handler);
  stops.push(() => upstream.close());
  const metrics = createMetrics();
  const gateway = await startGateway({
    ...options,
    baseUrl: options.baseUrl ?? upstream.baseUrl,
    telemetry: metrics.gatewayOptions,
  });
  metrics.watch(gateway.gateway.upstream);
  stops.push(() => gateway.close());
  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(gateway.url.replace('/graphql', '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(prometheusText);
    return parseScrape(await response.text());
  };
  return { gateway, upstream, scrape, drata: async () => valuesOf(await scrape(), 'drata_') };
}

const okPage = (response: ServerResponse): void => sendJson(response, 200, drataPage([drataItem()]));
const failing = (status: number) => (response: ServerResponse) =>
  sendJson(response, status, { statusCode: status, message: 'no', code: 1 });

/** An upstream handler that holds every request until `release`, then answers them (and later ones) with 200. */
function held() {
  const waiting: ServerResponse[] = [];
  let holding = true;
  return {
    waiting,
    handler: (_request: unknown, response: ServerResponse) => {
      if (holding) waiting.push(response);
      else okPage(response);
    },
    release: () => {
      holding = false;
      for (const response of waiting.splice(0)) okPage(response);
    },
  };
}

describe('GET /metrics', () => {
  it('answers Prometheus text with the process metrics, whatever the request guard, CORS and trusted documents say', async () => {
    const { gateway } = await metered((_request, response) => okPage(response), {
      hardening: {
        corsOrigins: ['https://app.example.com'],
        trustedDocuments: new Map([['known', '{ __typename }']]),
      },
    });
    const response = await fetch(gateway.url.replace('/graphql', '/metrics'), {
      headers: { accept: 'text/plain', origin: 'https://elsewhere.example.com' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(prometheusText);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const text = await response.text();
    const names = new Set(parseScrape(text).map((sample) => sample.name));
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names).toContain(name);
    }
    expect(text).toContain('# TYPE drata_upstream_requests_total counter\n');
    expect(text).toContain('# TYPE drata_upstream_request_duration_seconds histogram\n');
    expect(text).toContain('# TYPE drata_breaker_state gauge\n');
  });

  it('is not served by a gateway without metrics', async () => {
    const upstream = await startUpstream((_request, response) => okPage(response));
    stops.push(() => upstream.close());
    const gateway = await startGateway({ baseUrl: upstream.baseUrl });
    stops.push(() => gateway.close());
    expect((await fetch(gateway.url.replace('/graphql', '/metrics'))).status).toBe(404);
  });
});

describe('the Drata side', () => {
  it('is all zeros before any call', async () => {
    const { drata } = await metered((_request, response) => okPage(response));
    expect(await drata()).toEqual(idle);
  });

  it('a 200 counts one request with status "200" and one duration', async () => {
    const { gateway, drata } = await metered((_request, response) => okPage(response));
    expect((await graphql(gateway.url, query, { headers: auth })).body).toEqual(ok);
    expect(await drata()).toEqual({ ...idle, ...attempts('200', 1) });
  });

  it('a 503 then a 200: one request of each status and one retry', async () => {
    let calls = 0;
    const { gateway, drata } = await metered(
      (_request, response) => {
        calls += 1;
        if (calls === 1) failing(503)(response);
        else okPage(response);
      },
      { clock: createTestClock() },
    );
    expect((await graphql(gateway.url, query, { headers: auth })).body).toEqual(ok);
    expect(await drata()).toEqual({
      ...idle,
      ...attempts('503', 1),
      ...attempts('200', 1),
      drata_upstream_retries_total: 1,
    });
  });

  it('an attempt that times out counts as status "timeout", and as a timed-out call', async () => {
    const { gateway, drata } = await metered(() => undefined, {
      resilience: { attemptTimeoutMs: 50, timeoutMs: 60_000, maxAttempts: 1 },
    });
    const { body } = await graphql(gateway.url, query, { headers: auth });
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(await drata()).toEqual({ ...idle, ...attempts('timeout', 1), drata_upstream_timeouts_total: 1 });
  });

  it('a refused connection counts as status "network"', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await close(closed);
    const { gateway, drata } = await metered(() => undefined, {
      baseUrl: new URL(`http://127.0.0.1:${port}/public`),
      resilience: { maxAttempts: 1 },
    });
    const { body } = await graphql(gateway.url, query, { headers: auth });
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(await drata()).toEqual({ ...idle, ...attempts('network', 1) });
  });

  it('a caller who leaves cancels its attempt: status "cancelled"', async () => {
    const upstreamHolds = held();
    const { gateway, upstream, drata } = await metered(upstreamHolds.handler, {
      resilience: { attemptTimeoutMs: 60_000, timeoutMs: 60_000 },
    });
    recordCredential(auth.authorization);
    const controller = new AbortController();
    const answer = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await until(() => upstream.requests.length === 1, 'the attempt reached the upstream');
    controller.abort();
    await answer;
    await until(() => gateway.gateway.upstream.stats.inFlight === 0, 'the attempt ended');
    expect(await drata()).toEqual({ ...idle, ...attempts('cancelled', 1) });
  });

  it('two identical requests at once make one call: one coalesced', async () => {
    const upstreamHolds = held();
    const { gateway, upstream, drata } = await metered(upstreamHolds.handler);
    const first = graphql(gateway.url, query, { headers: auth });
    await until(() => upstream.requests.length === 1, 'the first call reached the upstream');
    const second = graphql(gateway.url, query, { headers: auth });
    await until(() => gateway.gateway.upstream.stats.coalesced === 1, 'the second request joined the first');
    upstreamHolds.release();
    expect((await first).body).toEqual(ok);
    expect((await second).body).toEqual(ok);
    expect(await drata()).toEqual({ ...idle, ...attempts('200', 1), drata_upstream_coalesced_total: 1 });
  });

  it('the cache: a miss, a hit, a bypass, each by store and reason', async () => {
    const { gateway, drata } = await metered((_request, response) => okPage(response), {
      cache: { ttlSeconds: 60 },
    });
    await graphql(gateway.url, query, { headers: auth });
    await graphql(gateway.url, query, { headers: auth });
    await graphql(gateway.url, query, { headers: { ...auth, 'cache-control': 'no-cache' } });
    expect(await drata()).toEqual({
      ...idle,
      ...attempts('200', 2),
      'drata_cache_hits_total{store="memory"}': 1,
      'drata_cache_misses_total{store="memory",reason="absent"}': 1,
      'drata_cache_misses_total{store="memory",reason="bypass"}': 1,
      'drata_cache_misses_total{store="memory",reason="unavailable"}': 0,
    });
  });

  it('the breaker gauge: 0 closed, 2 open (refusing), 1 while the half-open probe is out, 0 again', async () => {
    const clock = createTestClock();
    let calls = 0;
    const probe = held();
    const { gateway, upstream, drata } = await metered(
      (request, response) => {
        calls += 1;
        if (calls === 1) failing(500)(response);
        else probe.handler(request, response);
      },
      { clock, resilience: { breakerThreshold: 1, breakerCooldownMs: 1000 } },
    );
    expect(await drata()).toEqual(idle);
    await graphql(gateway.url, query, { headers: auth });
    expect(await drata()).toEqual({ ...idle, ...attempts('500', 1), drata_breaker_state: 2 });
    const refused = await graphql(gateway.url, query, { headers: auth });
    expect(refused.body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(await drata()).toEqual({
      ...idle,
      ...attempts('500', 1),
      drata_breaker_state: 2,
      drata_breaker_rejections_total: 1,
    });
    clock.advance(1000);
    const probing = graphql(gateway.url, query, { headers: auth });
    await until(() => upstream.requests.length === 2, 'the probe reached the upstream');
    expect(await drata()).toEqual({
      ...idle,
      ...attempts('500', 1),
      drata_breaker_state: 1,
      drata_breaker_rejections_total: 1,
      drata_upstream_in_flight: 1,
    });
    probe.release();
    expect((await probing).body).toEqual(ok);
    expect(await drata()).toEqual({
      ...idle,
      ...attempts('500', 1),
      ...attempts('200', 1),
      drata_breaker_rejections_total: 1,
    });
  });

  it("the gateway's own rate limit: one wait, then one rejection", async () => {
    // 12 a minute: a burst of one, then one every 5 s. The test clock never moves, so the second
    // call waits 5 s (within the 8 s its deadline leaves) and the third would wait 10 s: refused.
    const { gateway, drata } = await metered((_request, response) => okPage(response), {
      clock: createTestClock(),
      resilience: { rateLimitPerMinute: 12, timeoutMs: 10_000, attemptTimeoutMs: 2000 },
    });
    expect((await graphql(gateway.url, query, { headers: auth })).body).toEqual(ok);
    expect(await drata()).toEqual({ ...idle, ...attempts('200', 1) });
    expect((await graphql(gateway.url, query, { headers: auth })).body).toEqual(ok);
    expect(await drata()).toEqual({ ...idle, ...attempts('200', 2), drata_rate_limit_waits_total: 1 });
    const refused = await graphql(gateway.url, query, { headers: auth });
    expect(refused.body.errors?.map((error) => error.extensions.code)).toEqual(['RATE_LIMITED']);
    expect(await drata()).toEqual({
      ...idle,
      ...attempts('200', 2),
      drata_rate_limit_waits_total: 1,
      drata_rate_limit_rejections_total: 1,
    });
  });

  it('the queue: one call in flight, one waiting for the slot, one refused; then empty', async () => {
    const upstreamHolds = held();
    const { gateway, upstream, drata } = await metered(upstreamHolds.handler, {
      resilience: { maxConcurrency: 1, maxQueue: 1 },
    });
    const caller = (name: string) => ({ authorization: `Bearer ${secret}-${name}` });
    const first = graphql(gateway.url, query, { headers: caller('a') });
    await until(() => upstream.requests.length === 1, 'the first call reached the upstream');
    const second = graphql(gateway.url, query, { headers: caller('b') });
    await until(() => gateway.gateway.upstream.stats.queued === 1, 'the second call waits for the slot');
    const third = await graphql(gateway.url, query, { headers: caller('c') });
    expect(third.body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(await drata()).toEqual({
      ...idle,
      drata_queue_depth: 1,
      drata_upstream_in_flight: 1,
      drata_queue_rejections_total: 1,
    });
    upstreamHolds.release();
    expect((await first).body).toEqual(ok);
    expect((await second).body).toEqual(ok);
    expect(await drata()).toEqual({ ...idle, ...attempts('200', 2), drata_queue_rejections_total: 1 });
  });
});

describe('the GraphQL side', () => {
  it('times each request over HTTP and each phase, by operation type only', async () => {
    const { gateway, scrape } = await metered((_request, response) => okPage(response));
    for (let sent = 0; sent < 2; sent += 1) {
      expect((await graphql(gateway.url, query, { headers: auth })).body).toEqual(ok);
    }
    const samples = await scrape();
    expect(valuesOf(samples, 'graphql_yoga_')).toEqual({
      'graphql_yoga_http_duration_count{method="POST",statusCode="200",operationType="query"}': 2,
    });
    expect(valuesOf(samples, 'graphql_envelop_')).toEqual({
      'graphql_envelop_phase_parse_count{operationType="query"}': 2,
      'graphql_envelop_phase_validate_count{operationType="query"}': 2,
      'graphql_envelop_phase_context_count{operationType="query"}': 2,
      'graphql_envelop_phase_execute_count{operationType="query"}': 2,
      'graphql_envelop_request_duration_count{operationType="query"}': 2,
      'graphql_envelop_request{operationType="query"}': 2,
      graphql_envelop_schema_change: 1,
    });
  });

  it.each([
    ['Drata 500', query, auth, {}, 'execute', 'UPSTREAM_ERROR'],
    ['no Authorization header', query, {}, {}, 'execute', 'UNAUTHENTICATED'],
    ['a query that does not parse', '{ connections {', auth, {}, 'parse', 'GRAPHQL_PARSE_FAILED'],
    ['a field the schema lacks', '{ nothing }', auth, {}, 'validate', 'GRAPHQL_VALIDATION_FAILED'],
    [
      'a document over the depth limit',
      '{ connections { nodes { providerTypes { value } } } }',
      auth,
      { documentLimits: { maxDepth: 2 } },
      'validate',
      'OPERATION_LIMIT_EXCEEDED',
    ],
    [
      'a document over the token limit',
      '{ connections { total page limit totalPages } }',
      auth,
      { documentLimits: { maxTokens: 5 } },
      'parse',
      'OPERATION_LIMIT_EXCEEDED',
    ],
  ] as const)(
    'counts an error of %s under its code',
    async (_name, document, headers, hardening, phase, code) => {
      const { gateway, scrape } = await metered((_request, response) => failing(500)(response), {
        hardening,
      });
      const { body } = await graphql(gateway.url, document, { headers });
      expect(body.errors?.map((error) => error.extensions.code)).toEqual([code]);
      const errors = valuesOf(await scrape(), 'graphql_envelop_error_result');
      expect(errors).toEqual({ [`graphql_envelop_error_result{phase="${phase}",code="${code}"}`]: 1 });
    },
  );
});

describe('labels', () => {
  it('never hold a token, an operation name, an alias, a URL or a query string', async () => {
    const { gateway, scrape } = await metered((_request, response) => okPage(response));
    const operationName = 'OpQx7Named';
    const document = `query ${operationName} { aliasZq9: connections { total } }`;
    await graphql(gateway.url, document, { headers: auth, variables: {} });
    await graphql(`${gateway.url}?via=qsZq9`, document, { headers: auth });
    const get = new URL(gateway.url);
    get.searchParams.set('query', document);
    get.searchParams.set('operationName', operationName);
    expect((await fetch(get, { headers: { ...auth, accept: 'application/json' } })).status).toBe(200);
    await graphql(gateway.url, `query ${operationName}Bad { aliasZq9: connections(`, { headers: auth });
    const refused = await graphql(gateway.url, document);
    expect(refused.body).toMatchObject({
      errors: [{ path: ['aliasZq9'], extensions: { code: 'UNAUTHENTICATED' } }],
    });
    const samples = await scrape();
    const values = samples.flatMap((sample) => Object.values(sample.labels));
    for (const forbidden of [secret, operationName, 'aliasZq9', 'qsZq9', '?', '/graphql', 'http']) {
      expect(values.filter((value) => value.includes(forbidden))).toEqual([]);
    }
    const ours = samples.filter(({ name }) => /^(graphql|drata)_/.test(name));
    expect([...new Set(ours.flatMap((sample) => Object.keys(sample.labels)))].sort()).toEqual([
      'code',
      'le',
      'method',
      'operationType',
      'phase',
      'status',
      'statusCode',
    ]);
  });
});

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs the gateway's entry point on the sandbox with `env`; resolves with the URLs it logged once
 * ready, and a way to stop it.
 */
async function runProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  stops.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  const watch = watchStream('the output of the gateway process');
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      watch(chunk);
      output += chunk;
    });
  }
  await until(() => output.includes('"graphqlUrl"'), 'the gateway is ready', 20_000);
  const logged = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { graphqlUrl?: string; metricsUrl?: string });
  return {
    graphqlUrl: logged.find((line) => line.graphqlUrl)!.graphqlUrl!,
    metricsUrl: logged.find((line) => line.metricsUrl)?.metricsUrl,
  };
}

describe('the process', () => {
  it.each([
    ['by default, on the gateway port', {}, 200],
    ['not with METRICS=false', { METRICS: 'false' }, 404],
  ])('serves /metrics %s', async (_name, env, status) => {
    const { graphqlUrl, metricsUrl } = await runProcess(env);
    expect(metricsUrl).toBeUndefined();
    expect((await fetch(graphqlUrl.replace('/graphql', '/metrics'))).status).toBe(status);
  });

  it('with METRICS_PORT, serves /metrics on that port only', async () => {
    const { graphqlUrl, metricsUrl } = await runProcess({ METRICS_PORT: '0' });
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(metricsUrl).not.toBe(graphqlUrl.replace('/graphql', '/metrics'));
    expect((await fetch(graphqlUrl.replace('/graphql', '/metrics'))).status).toBe(404);
    const answer = await graphql(graphqlUrl, query, { headers: { authorization: 'Bearer sandbox-token' } });
    expect(answer.body).toEqual({ data: { connections: { total: 160 } } });
    const response = await fetch(metricsUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(prometheusText);
    const samples = parseScrape(await response.text());
    expect(valuesOf(samples, 'drata_upstream_requests_total')).toEqual({
      'drata_upstream_requests_total{status="200"}': 1,
    });
    expect(valuesOf(samples, 'graphql_yoga_http_duration')).toEqual({
      'graphql_yoga_http_duration_count{method="POST",statusCode="200",operationType="query"}': 1,
    });
    expect((await fetch(metricsUrl!.replace('/metrics', '/graphql'))).status).toBe(404);
  });
});
