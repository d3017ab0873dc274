/**
 * The floor of the benchmark: the least a Node layer between a GraphQL client and Drata can do. A
 * `node:http` server that knows the benchmark's documents by their exact request bodies (no GraphQL
 * parsing, validation or execution), makes the one Drata call each needs with undici's `request`
 * (keep-alive pool, the caller's `Authorization` passed on), and answers the selected fields built
 * from Drata's JSON in one pass. No logging, metrics, limits, retries or checks.
 *
 * Run as a child process: `tsx bench/passthrough.ts <port> <drata base url>`; prints `ready` when it
 * listens.
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';
import { node, scenarios, type DrataItem } from './scenarios.js';

interface DrataPage {
  data: DrataItem[];
  total: number;
}

interface Plan {
  /** The query string of the one Drata call. */
  readonly query: string;
  /** The `data` of the answer, from Drata's page. */
  readonly shape: (page: DrataPage) => unknown;
}

const nodes = (page: DrataPage): unknown[] => page.data.map(node);

const firstPage = 'page=1&limit=20';
const plans: Record<string, Plan> = {
  page20: { query: firstPage, shape: (page) => ({ connections: { total: page.total, nodes: nodes(page) } }) },
  total: { query: firstPage, shape: (page) => ({ connections: { total: page.total } }) },
  page50: {
    query: 'page=1&limit=50&sort=CONNECTED_AT&sortDir=DESC&state=ACTIVE',
    shape: (page) => ({ connections: { total: page.total, nodes: nodes(page) } }),
  },
  aliases: {
    query: firstPage,
    shape: (page) => {
      const connections = { total: page.total, nodes: nodes(page) };
      return { a: connections, b: connections, c: connections, d: connections };
    },
  },
};

/** The plans by the exact request body the benchmark sends. */
const byBody = new Map<string, Plan>();
for (const scenario of scenarios) {
  const document = scenario.documents.passthrough;
  const plan = plans[scenario.id];
  if (document !== undefined && plan !== undefined) byBody.set(JSON.stringify({ query: document }), plan);
}

const [portArgument, base] = process.argv.slice(2);
if (portArgument === undefined || base === undefined) {
  process.stderr.write('usage: passthrough.ts <port> <drata base url>\n');
  process.exit(2);
}
const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 60_000 });

const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    const plan = byBody.get(Buffer.concat(chunks).toString('utf8'));
    if (plan === undefined) {
      outgoing.writeHead(400, { 'content-type': 'application/json' });
      outgoing.end('{"errors":[{"message":"unknown document"}]}');
      return;
    }
    const authorization = incoming.headers.authorization ?? '';
    request(`${base}/connections?${plan.query}`, { dispatcher, headers: { authorization } })
      .then(async ({ statusCode, body }) => {
        if (statusCode !== 200) {
          await body.dump();
          throw new Error(`Drata answered ${statusCode}`);
        }
        const text = JSON.stringify({ data: plan.shape((await body.json()) as DrataPage) });
        outgoing.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        });
        outgoing.end(text);
      })
      .catch((error: unknown) => {
        outgoing.writeHead(502, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portArgument), '127.0.0.1', () => process.stdout.write('ready\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
