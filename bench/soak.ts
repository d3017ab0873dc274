/**
 * `npm run bench:soak [-- minutes]` (5 by default): the production gateway (`node dist/index.js`,
 * `NODE_ENV=production`, `LOG_LEVEL=info` to /dev/null) under a steady mix of good and failing calls
 * for that long, and its resident memory after a warm-up and at the end. The gateway promises that
 * the second stays within 10% of the first.
 *
 * Its Drata here answers by the caller's key: a page (`good-*`, 60% of requests, 20 keys and 5 pages so
 * that callers and queries vary), 500, 429 with `Retry-After: 1`, an answer slower than the attempt
 * timeout, or a 200 whose body is not JSON. Attempts time out after 300 ms, calls after 1 s; the
 * breaker cools down in 1 s so that it keeps opening and closing. Memory is the gateway's own
 * `process_resident_memory_bytes` from `/metrics`, sampled every 2 s: the figure after warm-up is the
 * median of the 20 s after it, the figure at the end the median of the last 20 s under load.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, start, waitForHttp } from './processes.js';
import { answer, fixedConnections } from './upstream.js';

const minutes = Number(process.argv[2] ?? 5);
if (!(minutes > 0)) {
  process.stderr.write('usage: npm run bench:soak [-- minutes]\n');
  process.exit(2);
}
const durationSeconds = Math.round(minutes * 60);
const warmupSeconds = Math.min(60, Math.max(10, Math.round(durationSeconds * 0.2)));
/** RSS is sampled this often; each figure is the median of a window of this many seconds. */
const sampleEveryMs = 2000;
const windowSeconds = 20;
const root = fileURLToPath(new URL('..', import.meta.url));

const slowMs = 600;
const connections = fixedConnections();
const pages = new Map<string, Buffer>();
const drataCounts: Record<string, number> = {};

/** Drata, answering by the caller's key. */
const drata = createServer((request, response) => {
  request.resume();
  const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const kind = key.startsWith('good-') ? 'good' : key;
  drataCounts[kind] = (drataCounts[kind] ?? 0) + 1;
  const json = (status: number, body: string, headers: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };
  const search = (request.url ?? '').split('?')[1] ?? '';
  const page = (): Buffer => {
    let body = pages.get(search);
    if (body === undefined) {
      body = Buffer.from(JSON.stringify(answer(connections, new URLSearchParams(search))));
      pages.set(search, body);
    }
    return body;
  };
  switch (kind) {
    case 'good':
      json(200, page().toString());
      return;
    case 'e500':
      json(500, '{"statusCode":500,"message":"Internal server error","code":50000}');
      return;
    case 'e429':
      json(429, '{"statusCode":429,"message":"Too Many Requests","code":42900}', { 'retry-after': '1' });
      return;
    case 'slow':
      setTimeout(() => {
        if (!response.destroyed) json(200, page().toString());
      }, slowMs);
      return;
    case 'malformed':
      json(200, '{"data":[{"id":1,"clientType":"GOOGLE",');
      return;
    default:
      json(401, '{"statusCode":401,"message":"Invalid Authorization","code":40100}');
  }
});
await new Promise<void>((resolve) => drata.listen(0, '127.0.0.1', resolve));
const drataPort = (drata.address() as AddressInfo).port;

console.error('Building the gateway (npm run build)…');
if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0) {
  throw new Error('npm run build failed');
}
const port = await freePort();
const gateway = start('gateway', process.execPath, ['dist/index.js'], {
  cwd: root,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    DRATA_API_URL: `http://127.0.0.1:${drataPort}/public`,
    DRATA_RATE_LIMIT_PER_MINUTE: '0',
    DRATA_ATTEMPT_TIMEOUT_MS: '300',
    DRATA_TIMEOUT_MS: '1000',
    DRATA_BREAKER_COOLDOWN_MS: '1000',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    // One process, whose own memory is measured (and whose /metrics is on its port).
    WEB_CONCURRENCY: '1',
  },
});
const base = `http://127.0.0.1:${port}`;

async function rss(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (!match?.[1]) throw new Error('no process_resident_memory_bytes in /metrics');
  return Number(match[1]);
}

const mix = [...Array.from({ length: 6 }, () => 'good'), 'e500', 'e429', 'slow', 'malformed'] as const;
const fields =
  'total hasNextPage nodes { id clientType state connectedAt providerTypes { value isEnabled } }';
let sent = 0;
const codes: Record<string, number> = {};

try {
  await waitForHttp(gateway, `${base}/healthz`);
  const samples: { at: number; bytes: number }[] = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    rss()
      .then((bytes) => samples.push({ at: (Date.now() - started) / 1000, bytes }))
      .catch(() => undefined);
  }, sampleEveryMs);

  console.error(`Soaking for ${minutes} min (RSS after ${warmupSeconds} s of warm-up, and at the end)…`);
  const result = await autocannon({
    url: `${base}/graphql`,
    connections: 16,
    duration: durationSeconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const index = sent++;
          const kind = mix[index % mix.length]!;
          const key = kind === 'good' ? `good-${index % 20}` : kind;
          const page = 1 + (index % 5);
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              authorization: `Bearer ${key}`,
            },
            body: JSON.stringify({ query: `{ connections(page: { page: ${page} }) { ${fields} } }` }),
          };
        },
        onResponse: (status, body) => {
          const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? (status === 200 ? 'data' : `HTTP ${status}`);
          codes[code] = (codes[code] ?? 0) + 1;
        },
      },
    ],
  });
  clearInterval(sampler);
  // Each figure is the median of the samples in a window, so that one GC cycle does not decide it.
  const windowMedian = (from: number, to: number): number | undefined => {
    const values = samples
      .filter(({ at }) => at >= from && at <= to)
      .map(({ bytes }) => bytes)
      .sort((a, b) => a - b);
    return values.length === 0 ? undefined : values[Math.floor(values.length / 2)];
  };
  const warm = windowMedian(warmupSeconds, warmupSeconds + windowSeconds);
  const end = windowMedian(durationSeconds - windowSeconds, durationSeconds + 1);

  const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
  const lines = [
    `Soak: ${minutes} min, 16 connections, ${result.requests.total} requests (${Math.round(result.requests.average)}/s), ` +
      `${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts).`,
    `Answers: ${Object.entries(codes)
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => `${code} ${count}`)
      .join(', ')}.`,
    `Drata received: ${Object.entries(drataCounts)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}.`,
    `RSS every ~30 s (s: MiB): ${samples
      .filter((_, index) => index % Math.round(30_000 / sampleEveryMs) === 0)
      .map(({ at, bytes }) => `${Math.round(at)}: ${(bytes / 1048576).toFixed(1)}`)
      .join(
        ', ',
      )}; lowest ${mib(Math.min(...samples.map((s) => s.bytes)))}, highest ${mib(Math.max(...samples.map((s) => s.bytes)))}.`,
  ];
  if (warm === undefined || end === undefined) {
    lines.push('RSS: too few samples for the warm-up and end windows.');
  } else {
    const ratio = end / warm;
    lines.push(
      `RSS after warm-up (median of ${warmupSeconds}–${warmupSeconds + windowSeconds} s): ${mib(warm)}; ` +
        `at the end (median of the last ${windowSeconds} s under load): ${mib(end)}; ratio ${ratio.toFixed(3)} ` +
        `(${ratio <= 1.1 ? 'within' : 'NOT within'} the promised 10%).`,
    );
  }
  console.log(lines.join('\n'));
} finally {
  await gateway.stop();
  drata.closeAllConnections();
  drata.close();
}
