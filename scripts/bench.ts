/**
 * Measures the gateway on the embedded sandbox: throughput and latency of `connections` queries over
 * real HTTP, with the gateway in its own process (as `npm start` runs it) and the load generator in
 * this one. Reports figures; asserts nothing. Usage: `npm run bench [-- seconds]`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const seconds = Number(process.argv[2] ?? 10);
const root = fileURLToPath(new URL('..', import.meta.url));
const fields =
  'total hasNextPage nodes { id clientType state connected connectedAt providerTypes { value isEnabled } }';
const scenarios = [
  ['one page of 20, every listed field', `{ connections { ${fields} } }`],
  [
    'a filtered, sorted page of 50',
    `{ connections(filter: { state: ACTIVE }, sort: { field: CONNECTED_AT, direction: DESC }, page: { limit: 50 }) { ${fields} } }`,
  ],
  [
    'four equal aliases (one upstream call)',
    `{ a: connections { total } b: connections { total } c: connections { total } d: connections { total } }`,
  ],
  [
    'five entity references (one list scan)',
    `{ _entities(representations: [${[3, 17, 42, 99, 150].map((id) => `{ __typename: "DrataConnection", id: "${id}" }`).join(', ')}]) { ... on DrataConnection { id state } } }`,
  ],
] as const;

const gateway = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
  cwd: root,
  env: {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DRATA_API_URL: 'sandbox',
    DRATA_RATE_LIMIT_PER_MINUTE: '0',
    GRAPHIQL: 'false',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let output = '';
  gateway.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    const match = /"graphqlUrl":"([^"]+)"/.exec(output);
    if (match?.[1]) resolve(match[1]);
  });
  gateway.once('exit', (code) => reject(new Error(`the gateway exited with ${String(code)}`)));
});

console.log(
  `drata-graphql-gateway on the sandbox, Node ${process.version}, ${seconds} s a scenario, 32 connections\n`,
);
console.log('| scenario | requests/s | p50 ms | p99 ms | errors |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, query] of scenarios) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 32,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sandbox-token' },
    body: JSON.stringify({ query }),
  });
  const errors = result.errors + result.non2xx;
  console.log(
    `| ${name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${errors} |`,
  );
}
gateway.kill('SIGTERM');
