/**
 * `npm run bench [-- seconds rounds connections]`: the gateway side by side with Tailcall, GraphQL
 * Mesh (Hive Gateway) and a bare undici pass-through, on one fixed Drata-compatible upstream, loaded
 * in alternating rounds by autocannon. Prints markdown tables; asserts nothing.
 *
 * 1. Builds the gateway (`npm run build`) and starts the fixed upstream (`bench/upstream.ts`) with one
 *    port per contender, so that what each contender sends to Drata is counted apart.
 * 2. Starts every contender on its own port: the gateway as `node dist/index.js` in production (once
 *    with its default workers, one per CPU, once with one worker; at `LOG_LEVEL=info`), Tailcall from
 *    `bench/tailcall.graphql`, Hive Gateway on a supergraph that Mesh Compose builds from the vendored
 *    OpenAPI document, and the pass-through (`bench/passthrough.ts`).
 * 3. Sends each scenario's document once to each contender and checks the answer against the data the
 *    upstream holds; a contender that answers wrongly is not loaded on that scenario.
 * 4. Warms every contender up, then for each round, each scenario, each contender in turn (the order
 *    rotating from round to round): autocannon for `seconds`, every answer's body checked.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { firstLine, freePort, start, waitForHttp, type Child } from './processes.js';
import { scenarios, wrongAnswer, type ContenderKind, type Scenario } from './scenarios.js';
import type { UpstreamLog } from './upstream.js';

const [secondsArgument, roundsArgument, connectionsArgument] = process.argv.slice(2);
const seconds = Number(secondsArgument ?? 10);
const rounds = Number(roundsArgument ?? 3);
const connections = Number(connectionsArgument ?? 32);
if (![seconds, rounds, connections].every((value) => Number.isInteger(value) && value > 0)) {
  process.stderr.write('usage: npm run bench [-- seconds-per-round rounds connections], whole numbers > 0\n');
  process.exit(2);
}
const warmupSeconds = Math.min(2, seconds);

const root = fileURLToPath(new URL('..', import.meta.url));
const bench = join(root, 'bench');
const work = join(bench, '.work');
const benchModules = join(bench, 'node_modules');
const token = 'Bearer bench-token';
const headers = {
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
  authorization: token,
};

const packageVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(benchModules, name, 'package.json'), 'utf8')) as { version: string }).version;
const tailcallBinary = join(benchModules, '@tailcallhq/core-linux-x64-gnu/bin/tailcall');

interface Contender {
  readonly id: string;
  readonly label: string;
  readonly kind: ContenderKind;
  /** Starts it, its Drata at `drata` (a base URL ending in `/public`); resolves with its GraphQL URL. */
  readonly launch: (drata: string) => Promise<{ child: Child; url: string }>;
}

/**
 * This gateway as `npm start` runs it in production: at its default log level (`info`, one line per
 * operation) and one worker per CPU; or with one worker, to show what the workers add.
 */
const gateway = (workers: 'default' | 1): Contender => ({
  id: `gateway-${workers}`,
  label: workers === 'default' ? 'this gateway' : 'this gateway, one worker',
  kind: 'gateway',
  launch: async (drata) => {
    const port = await freePort();
    const child = start(`gateway (${workers} workers)`, process.execPath, ['dist/index.js'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DRATA_API_URL: drata,
        DRATA_RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(port),
        // Several workers serve their metrics on a port of their own: a free one here.
        METRICS_PORT: String(await freePort()),
        ...(workers === 1 ? { WEB_CONCURRENCY: '1' } : {}),
      },
    });
    await waitForHttp(child, `http://127.0.0.1:${port}/healthz`);
    return { child, url: `http://127.0.0.1:${port}/graphql` };
  },
});

const contenders: readonly Contender[] = [
  gateway('default'),
  gateway(1),
  {
    id: 'tailcall',
    label: 'Tailcall',
    kind: 'tailcall',
    launch: async (drata) => {
      const port = await freePort();
      const config = join(work, 'tailcall.graphql');
      writeFileSync(
        config,
        readFileSync(join(bench, 'tailcall.graphql'), 'utf8').replace(/port: \d+/, `port: ${port}`),
      );
      const child = start('tailcall', tailcallBinary, ['start', config], {
        cwd: work,
        env: { ...process.env, DRATA_URL: drata },
      });
      await waitForHttp(child, `http://127.0.0.1:${port}/graphql`);
      return { child, url: `http://127.0.0.1:${port}/graphql` };
    },
  },
  {
    id: 'mesh',
    label: 'GraphQL Mesh (Hive Gateway)',
    kind: 'mesh',
    launch: async (drata) => {
      // Mesh Compose reads mesh.config.ts from its working folder; Hive Gateway runs in another one
      // so that it does not take that file for a configuration of its own.
      const composeDir = join(work, 'mesh-compose');
      const serveDir = join(work, 'mesh-gateway');
      mkdirSync(composeDir, { recursive: true });
      mkdirSync(serveDir, { recursive: true });
      copyFileSync(
        join(root, 'openapi', 'drata-connections.json'),
        join(composeDir, 'drata-connections.json'),
      );
      writeFileSync(join(composeDir, 'mesh.config.ts'), meshConfig(drata));
      execFileSync(join(benchModules, '.bin', 'mesh-compose'), ['-o', join(serveDir, 'supergraph.graphql')], {
        cwd: composeDir,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const port = await freePort();
      const child = start(
        'hive-gateway',
        join(benchModules, '.bin', 'hive-gateway'),
        ['supergraph', 'supergraph.graphql', '--host', '127.0.0.1', '--port', String(port)],
        { cwd: serveDir, env: { ...process.env, NODE_ENV: 'production' } },
      );
      await waitForHttp(child, `http://127.0.0.1:${port}/healthcheck`);
      return { child, url: `http://127.0.0.1:${port}/graphql` };
    },
  },
  {
    id: 'passthrough',
    label: 'undici pass-through',
    kind: 'passthrough',
    launch: async (drata) => {
      const port = await freePort();
      const child = start(
        'pass-through',
        process.execPath,
        ['--import', 'tsx', join(bench, 'passthrough.ts'), String(port), drata],
        { cwd: root, stdout: 'pipe' },
      );
      await firstLine(child);
      return { child, url: `http://127.0.0.1:${port}/graphql` };
    },
  },
];

/** Mesh Compose's configuration: the vendored OpenAPI document, Drata at `drata`, the caller's key passed on. */
function meshConfig(drata: string): string {
  return `import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Drata', {
        source: './drata-connections.json',
        endpoint: ${JSON.stringify(drata)},
        operationHeaders: { Authorization: '{context.headers.authorization}' },
      }),
    },
  ],
});
`;
}

interface Running {
  readonly contender: Contender;
  readonly child: Child;
  readonly url: string;
}

interface Measure {
  readonly goodPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  readonly mismatches: number;
  readonly drataCalls: number;
  readonly responses: number;
}

async function upstreamStats(control: number): Promise<Record<string, UpstreamLog>> {
  const response = await fetch(`http://127.0.0.1:${control}/stats`);
  return (await response.json()) as Record<string, UpstreamLog>;
}

const callsIn = (log: UpstreamLog | undefined): number =>
  Object.values(log ?? {}).reduce((sum, entry) => sum + entry.count, 0);

async function post(url: string, document: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: document }) });
  return { status: response.status, body: await response.text() };
}

async function load(url: string, document: string, duration: number, reference: string, scenario: Scenario) {
  // The same bytes as the checked sample pass at once; anything else is parsed and compared.
  const verifyBody = (raw: string | Buffer | undefined): boolean => {
    const body = typeof raw === 'string' ? raw : (raw?.toString('utf8') ?? '');
    return body === reference || wrongAnswer(body, scenario.expected) === undefined;
  };
  return autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers,
    body: JSON.stringify({ query: document }),
    verifyBody,
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function machine(): string {
  const model =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `${nproc} cores (nproc), ${model ?? 'unknown CPU'}, Node ${process.version}, load average ${load} at the start`;
}

async function main(): Promise<void> {
  console.error('Building the gateway (npm run build)…');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const upstream = start(
    'upstream',
    process.execPath,
    ['--import', 'tsx', join(bench, 'upstream.ts'), ...contenders.map((contender) => contender.id)],
    { cwd: root, stdout: 'pipe' },
  );
  const { ports, control } = JSON.parse(await firstLine(upstream)) as {
    ports: Record<string, number>;
    control: number;
  };

  const live: Running[] = [];
  let stopping = false;
  try {
    for (const contender of contenders) {
      console.error(`Starting ${contender.label}…`);
      const drata = `http://127.0.0.1:${ports[contender.id]!}/public`;
      const { child, url } = await contender.launch(drata);
      child.process.once('exit', (code, signal) => {
        if (!stopping) {
          console.error(
            `${contender.label} exited (${signal ?? String(code)}) during the benchmark:\n${child.stderr()}`,
          );
        }
      });
      live.push({ contender, child, url });
    }

    // One request per scenario and contender: the answer must be right, and what reached Drata is noted.
    const references = new Map<string, string>();
    const sent: string[] = [];
    const refused: string[] = [];
    await upstreamStats(control);
    for (const scenario of scenarios) {
      for (const { contender, url } of live) {
        const document = scenario.documents[contender.kind];
        if (document === undefined) continue;
        const { status, body } = await post(url, document);
        const wrong =
          status === 200 ? wrongAnswer(body, scenario.expected) : `HTTP ${status}: ${body.slice(0, 300)}`;
        const log = (await upstreamStats(control))[contender.id] ?? {};
        sent.push(
          `| ${scenario.name} | ${contender.label} | ${
            Object.entries(log)
              .map(
                ([line, entry]) =>
                  `\`${line}\`${entry.count > 1 ? ` ×${entry.count}` : ''}${entry.withToken === entry.count ? '' : ' (no key)'}`,
              )
              .join('<br>') || 'none'
          } |`,
        );
        if (wrong === undefined) references.set(`${scenario.id}/${contender.id}`, body);
        else refused.push(`${contender.label}, ${scenario.name}: ${wrong}`);
      }
    }

    const jobs = scenarios.flatMap((scenario) =>
      live
        .filter(({ contender }) => references.has(`${scenario.id}/${contender.id}`))
        .map((running) => ({ scenario, running })),
    );
    console.error(`Warming up: ${warmupSeconds} s for each of ${jobs.length} pairs…`);
    for (const { scenario, running } of jobs) {
      const reference = references.get(`${scenario.id}/${running.contender.id}`)!;
      await load(
        running.url,
        scenario.documents[running.contender.kind]!,
        warmupSeconds,
        reference,
        scenario,
      );
    }

    const measures = new Map<string, Measure[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const scenario of scenarios) {
        const order = live.filter(({ contender }) => references.has(`${scenario.id}/${contender.id}`));
        const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
        for (const running of rotated) {
          const key = `${scenario.id}/${running.contender.id}`;
          console.error(`Round ${round + 1}/${rounds}: ${scenario.name}, ${running.contender.label}`);
          await upstreamStats(control);
          const result = await load(
            running.url,
            scenario.documents[running.contender.kind]!,
            seconds,
            references.get(key)!,
            scenario,
          );
          const drataCalls = callsIn((await upstreamStats(control))[running.contender.id]);
          // Every non-2xx answer also fails the body check; a 2xx with a wrong body is a mismatch alone.
          const wrong2xx = Math.max(0, result.mismatches - result.non2xx);
          const good = result['2xx'] - wrong2xx;
          const responses = result['2xx'] + result.non2xx;
          const list = measures.get(key) ?? [];
          list.push({
            goodPerSecond: good / result.duration,
            p50: result.latency.p50,
            p99: result.latency.p99,
            failures: result.non2xx + result.errors,
            mismatches: wrong2xx,
            drataCalls,
            responses,
          });
          measures.set(key, list);
        }
      }
    }

    print(live, measures, sent, refused);
  } finally {
    stopping = true;
    await Promise.all([...live.map(({ child }) => child.stop()), upstream.stop()]);
  }
}

function print(
  live: readonly Running[],
  measures: Map<string, Measure[]>,
  sent: readonly string[],
  refused: readonly string[],
): void {
  const tailcallVersion = execFileSync(tailcallBinary, ['--version'], { encoding: 'utf8' }).trim();
  const out: string[] = [];
  out.push(`Machine: ${machine()}.`);
  out.push(
    `Peers: ${tailcallVersion} (@tailcallhq/core-linux-x64-gnu ${packageVersion('@tailcallhq/core-linux-x64-gnu')}), ` +
      `@graphql-hive/gateway ${packageVersion('@graphql-hive/gateway')}, @graphql-mesh/compose-cli ${packageVersion('@graphql-mesh/compose-cli')}, ` +
      `@omnigraph/openapi ${packageVersion('@omnigraph/openapi')}, undici ${packageVersion('undici')}; ` +
      `load by autocannon ${(JSON.parse(readFileSync(join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version}.`,
  );
  out.push(
    `Load: ${connections} connections, ${rounds} rounds of ${seconds} s per scenario and contender (after ${warmupSeconds} s of warm-up each), contenders in turn, the order rotating each round.`,
  );
  out.push('');
  out.push(
    '| scenario | contender | req/s (median; min–max of rounds) | p50 ms | p99 ms | × Tailcall | × pass-through | Drata calls / request | non-2xx + errors | wrong bodies |',
  );
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of scenarios) {
    const rate = (id: string): number | undefined => {
      const list = measures.get(`${scenario.id}/${id}`);
      return list === undefined ? undefined : median(list.map((m) => m.goodPerSecond));
    };
    const tailcall = rate('tailcall');
    const floor = rate('passthrough');
    for (const { contender } of live) {
      const list = measures.get(`${scenario.id}/${contender.id}`);
      if (list === undefined) {
        const why = scenario.documents[contender.kind] === undefined ? 'n/a' : 'wrong answer (below)';
        out.push(`| ${scenario.name} | ${contender.label} | ${why} | | | | | | | |`);
        continue;
      }
      const rates = list.map((m) => m.goodPerSecond);
      const own = median(rates);
      const ratio = (other: number | undefined): string =>
        other === undefined || other === 0 ? 'n/a' : `${(own / other).toFixed(2)}×`;
      const calls = list.reduce((sum, m) => sum + m.drataCalls, 0);
      const responses = list.reduce((sum, m) => sum + m.responses, 0);
      out.push(
        `| ${scenario.name} | ${contender.label} | ${Math.round(own)} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ` +
          `${median(list.map((m) => m.p50))} | ${median(list.map((m) => m.p99))} | ${ratio(tailcall)} | ${ratio(floor)} | ` +
          `${responses === 0 ? 'n/a' : (calls / responses).toFixed(2)} | ${list.reduce((sum, m) => sum + m.failures, 0)} | ` +
          `${list.reduce((sum, m) => sum + m.mismatches, 0)} |`,
      );
    }
  }
  out.push('');
  out.push('What each contender sent to Drata for one operation (the check before the load):');
  out.push('');
  out.push('| scenario | contender | requests to Drata |');
  out.push('| --- | --- | --- |');
  out.push(...sent);
  if (refused.length > 0) {
    out.push('');
    out.push('Not loaded, the answer was wrong:');
    out.push('');
    out.push(...refused.map((line) => `- ${line}`));
  }
  console.log(out.join('\n'));
}

await main();
