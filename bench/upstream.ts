/**
 * The fixed upstream of the benchmark: a Drata-compatible `GET /public/connections` that answers at
 * once from a constant data set, on one port per contender, and counts the requests each port
 * received (path and query string, and whether a bearer token came with them).
 *
 * The data set is the sandbox's connections with every nullable or optional field filled in, so that
 * every contender serializes every field of every item. Filters, sort and paging are honoured as
 * Drata does (`state`, `providerTypes`, `sort`/`sortDir`, `page`/`limit`); each distinct query string
 * is computed once and its bytes reused.
 *
 * Run as a child process: `tsx bench/upstream.ts <name>...` listens on a loopback port for each name
 * and a control port, then prints one JSON line `{"ports":{name:port},"control":port}`. The control
 * port answers `GET /stats` with the counts per name and resets them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createSandboxConnections } from '../src/sandbox/data.js';
import type { ConnectionDto } from '../src/upstream/types.js';

export interface FixedConnection {
  readonly item: ConnectionDto;
  readonly createdAt: string;
}

const hour = 3_600_000;
const later = (iso: string, hours: number): string => new Date(Date.parse(iso) + hours * hour).toISOString();

/** The data set: 240 connections (60 of them `ACTIVE`), every field set (no null, no absent optional field). */
export function fixedConnections(): FixedConnection[] {
  return createSandboxConnections(240).map(({ item, createdAt }, index) => {
    const connectedAt = item.connectedAt ?? later(createdAt, 3 + (index % 40));
    const clientAlias = item.clientAlias ?? `conn-${String(item.id)}`;
    const full: ConnectionDto = {
      id: item.id,
      clientType: item.clientType,
      state: item.state,
      connected: item.connected,
      connectedAt,
      failedAt: item.failedAt ?? later(connectedAt, 24 + (index % 90)),
      clientId: item.clientId ?? `client-${(Number(item.id) * 7919).toString(36)}`,
      clientAlias,
      aliasUpdatedAt: item.aliasUpdatedAt ?? later(createdAt, 1 + (index % 12)),
      deletedAt: item.deletedAt ?? later(createdAt, 2000 + index),
      providerTypes:
        item.providerTypes !== undefined && item.providerTypes.length > 0
          ? item.providerTypes
          : [{ value: 'IDENTITY', isEnabled: true }],
      code: item.code ?? 10000 + (index % 50),
      groupLabel: item.groupLabel ?? 'Everyone',
    };
    return { item: full, createdAt };
  });
}

type SortKey = (connection: FixedConnection) => string;
const sortKeys: Readonly<Record<string, SortKey>> = {
  CREATED_AT: (c) => c.createdAt,
  CONNECTED_AT: (c) => c.item.connectedAt ?? '',
  CONNECTION_PROVIDER_TYPE: (c) => c.item.providerTypes?.[0]?.value ?? '',
  CONNECTION_CLIENT_TYPE: (c) => c.item.clientType,
  CONNECTION_STATE: (c) => c.item.state,
};

/** Drata's answer to one query string, as Drata computes it: filter, sort (ties by id), page. */
export function answer(
  connections: readonly FixedConnection[],
  params: URLSearchParams,
): {
  data: ConnectionDto[];
  page: number;
  limit: number;
  total: number;
} {
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const limit = Math.min(50, Math.max(1, Number(params.get('limit') ?? 20) || 20));
  const state = params.get('state');
  const providerTypes = params.getAll('providerTypes').flatMap((value) => value.split(','));
  const key = sortKeys[params.get('sort') ?? 'CREATED_AT'] ?? sortKeys['CREATED_AT']!;
  const sign = params.get('sortDir') === 'DESC' ? -1 : 1;
  const matching = connections
    .filter(
      ({ item }) =>
        (state === null || item.state === state) &&
        (providerTypes.length === 0 ||
          (item.providerTypes ?? []).some((p) => providerTypes.includes(p.value))),
    )
    .sort((a, b) => {
      const [left, right] = [key(a), key(b)];
      if (left !== right) return left < right ? -sign : sign;
      return Number(a.item.id) - Number(b.item.id);
    });
  return {
    data: matching.slice((page - 1) * limit, page * limit).map(({ item }) => item),
    page,
    limit,
    total: matching.length,
  };
}

/** What one contender sent: each distinct request line, how many times, and with a token or not. */
export type UpstreamLog = Record<string, { count: number; withToken: number }>;

async function main(names: readonly string[]): Promise<void> {
  const connections = fixedConnections();
  const cache = new Map<string, Buffer>();
  const logs = new Map<string, UpstreamLog>(names.map((name) => [name, {}]));

  const handle = (name: string, request: IncomingMessage, response: ServerResponse): void => {
    request.resume();
    const raw = request.url ?? '/';
    const log = logs.get(name)!;
    const entry = (log[`${request.method ?? 'GET'} ${raw}`] ??= { count: 0, withToken: 0 });
    entry.count += 1;
    if (/^Bearer \S/i.test(request.headers.authorization ?? '')) entry.withToken += 1;
    const query = raw.indexOf('?');
    const path = query === -1 ? raw : raw.slice(0, query);
    if (request.method !== 'GET' || path !== '/public/connections') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          statusCode: 404,
          message: `Cannot ${request.method ?? 'GET'} ${path}`,
          code: 40400,
        }),
      );
      return;
    }
    const search = query === -1 ? '' : raw.slice(query + 1);
    let body = cache.get(search);
    if (body === undefined) {
      body = Buffer.from(JSON.stringify(answer(connections, new URLSearchParams(search))));
      cache.set(search, body);
    }
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
    });
    response.end(body);
  };

  const listen = (server: ReturnType<typeof createServer>): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });

  const ports: Record<string, number> = {};
  for (const name of names) {
    const server = createServer((request, response) => handle(name, request, response));
    server.keepAliveTimeout = 60_000;
    ports[name] = await listen(server);
  }
  const control = createServer((request, response) => {
    request.resume();
    const snapshot = Object.fromEntries(logs);
    for (const name of names) logs.set(name, {});
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(snapshot));
  });
  const controlPort = await listen(control);
  process.stdout.write(`${JSON.stringify({ ports, control: controlPort })}\n`);
  // Ends with the process that started it.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.slice(2));
}
