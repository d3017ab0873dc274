import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  connectionStateValues,
  providerTypeValues,
  sortDirectionValues,
  sortFieldValues,
} from '../__generated__/drata-enums.js';
import type { ExceptionDto } from '../upstream/types.js';
import { createSandboxConnections, type SandboxConnection } from './data.js';

/** The token the sandbox accepts. */
export const sandboxToken = 'sandbox-token';

/** Tokens that make the sandbox answer with an error, to try every error from GraphiQL or curl. */
export const sandboxErrorTokens = {
  'sandbox-401': { status: 401, message: 'Invalid Authorization' },
  'sandbox-402': { status: 402, message: 'You must upgrade your plan to use this feature' },
  'sandbox-403': { status: 403, message: 'You are not allowed to perform this action' },
  'sandbox-412': { status: 412, message: 'You must accept the Drata terms and conditions to use the API' },
  'sandbox-429': { status: 429, message: 'Too Many Requests' },
  'sandbox-500': { status: 500, message: 'Internal server error' },
} as const;

/** The `Retry-After` seconds of the sandbox's 429. */
const sandboxRetryAfterSeconds = 30;

type SortKey = (connection: SandboxConnection) => string | null;

const sortKeys: Readonly<Record<string, SortKey>> = {
  CREATED_AT: (connection) => connection.createdAt,
  CONNECTED_AT: (connection) => connection.item.connectedAt,
  CONNECTION_PROVIDER_TYPE: (connection) => connection.item.providerTypes?.[0]?.value ?? null,
  CONNECTION_CLIENT_TYPE: (connection) => connection.item.clientType,
  CONNECTION_STATE: (connection) => connection.item.state,
};

/**
 * Sorts like Drata, stably: by the field in the direction asked, absent values last in either
 * direction, ties by `id` ascending. `CONNECTION_PROVIDER_TYPE` sorts by the first provider type.
 */
function sortConnections(
  connections: readonly SandboxConnection[],
  field: string,
  direction: string,
): SandboxConnection[] {
  const key = sortKeys[field] ?? sortKeys['CREATED_AT']!;
  const sign = direction === 'DESC' ? -1 : 1;
  return [...connections].sort((a, b) => {
    const [left, right] = [key(a), key(b)];
    if (left !== right) {
      if (left === null) return 1;
      if (right === null) return -1;
      return left < right ? -sign : sign;
    }
    return Number(a.item.id) - Number(b.item.id);
  });
}

class BadRequest extends Error {}

function integerParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max?: number,
): number {
  const values = params.getAll(name);
  if (values.length === 0) return fallback;
  const raw = values[values.length - 1] ?? '';
  if (!/^-?\d+$/.test(raw))
    throw new BadRequest(`${name} must be a number conforming to the specified constraints`);
  const value = Number(raw);
  if (value < min) throw new BadRequest(`${name} must not be less than ${min}`);
  if (max !== undefined && value > max) throw new BadRequest(`${name} must not be greater than ${max}`);
  return value;
}

function enumParam(params: URLSearchParams, name: string, allowed: readonly string[]): string | undefined {
  const value = params.getAll(name).at(-1);
  if (value === undefined) return undefined;
  if (!allowed.includes(value)) {
    throw new BadRequest(`${name} must be one of the following values: ${allowed.join(', ')}`);
  }
  return value;
}

/** Answers `GET /public/connections` from the data set, as Drata's document describes it. */
function listConnections(url: URL, connections: readonly SandboxConnection[]): unknown {
  const { searchParams } = url;
  const page = integerParam(searchParams, 'page', 1, 1);
  const limit = integerParam(searchParams, 'limit', 20, 1, 50);
  const sort = enumParam(searchParams, 'sort', sortFieldValues) ?? 'CREATED_AT';
  const sortDir = enumParam(searchParams, 'sortDir', sortDirectionValues) ?? 'ASC';
  const state = enumParam(searchParams, 'state', connectionStateValues);
  const providerTypes = searchParams.getAll('providerTypes');
  for (const type of providerTypes) {
    if (!(providerTypeValues as readonly string[]).includes(type)) {
      throw new BadRequest(
        `each value in providerTypes must be one of the following values: ${providerTypeValues.join(', ')}`,
      );
    }
  }
  const matching = connections.filter(
    ({ item }) =>
      (state === undefined || item.state === state) &&
      (providerTypes.length === 0 ||
        (item.providerTypes ?? []).some((entry) => providerTypes.includes(entry.value))),
  );
  const sorted = sortConnections(matching, sort, sortDir);
  return {
    data: sorted.slice((page - 1) * limit, page * limit).map(({ item }) => item),
    page,
    limit,
    total: matching.length,
  };
}

const send = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
};

const exception = (statusCode: number, message: string): ExceptionDto => ({
  statusCode,
  message,
  code: statusCode * 100,
});

function handle(
  request: IncomingMessage,
  response: ServerResponse,
  connections: readonly SandboxConnection[],
): void {
  const url = new URL(request.url ?? '/', 'http://sandbox');
  if (url.pathname !== '/public/connections' || request.method !== 'GET') {
    send(response, 404, exception(404, `Cannot ${request.method ?? 'GET'} ${url.pathname}`));
    return;
  }
  const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (token !== undefined && Object.hasOwn(sandboxErrorTokens, token)) {
    const failure = sandboxErrorTokens[token as keyof typeof sandboxErrorTokens];
    const headers: Record<string, string> =
      failure.status === 429 ? { 'retry-after': String(sandboxRetryAfterSeconds) } : {};
    send(response, failure.status, exception(failure.status, failure.message), headers);
    return;
  }
  if (token !== sandboxToken) {
    send(response, 401, exception(401, 'Invalid Authorization'));
    return;
  }
  try {
    send(response, 200, listConnections(url, connections));
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    send(response, 400, exception(400, error.message));
  }
}

/** A running sandbox. */
export interface Sandbox {
  /** Its base URL, ending in `/public` like Drata's. */
  readonly baseUrl: URL;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Starts the Drata-compatible sandbox on a loopback port (`port` 0 picks a free one) and resolves
 * once it listens. It serves `GET /public/connections` for the token `sandbox-token`.
 */
export async function startSandbox(options: { host?: string; port?: number } = {}): Promise<Sandbox> {
  const connections = createSandboxConnections();
  const server = createServer((request, response) => {
    // The body of a GET is not used; drain it so the connection stays usable.
    request.resume();
    handle(request, response, connections);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: new URL(`http://${host}:${port}/public`),
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
