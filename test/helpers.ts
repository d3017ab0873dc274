import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { createHttpServer, defaultHttpOptions, type HttpOptions } from '../src/http.js';
import { createLogger } from '../src/logger.js';
import { createGateway, type Gateway, type GatewayOptions } from '../src/server.js';
import type { Clock, ResilienceOptions } from '../src/upstream/policies.js';
import type { ListReaderOptions } from '../src/upstream/list-reader.js';
import { recordCredential, watchLine, watchServer } from './leak-check.js';

/** Listens on a free loopback port; resolves with the port. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server and every connection it holds. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A gateway listening on loopback, with the lines it logged. */
export interface RunningGateway {
  readonly url: string;
  readonly gateway: Gateway;
  /** The HTTP server it listens with. */
  readonly server: Server;
  /** Every log line so far, as text (at trace level). */
  readonly logs: string[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a gateway on loopback in front of `baseUrl`, logging into memory at trace level. The leak
 * check searches its log lines and its answers for the credentials callers sent.
 */
/** What {@link startGateway} takes. */
export type GatewayTestOptions = Parameters<typeof startGateway>[0];

export async function startGateway(options: {
  baseUrl: URL;
  resilience?: Partial<ResilienceOptions>;
  listReader?: ListReaderOptions;
  dispatcher?: Dispatcher;
  /** The policies' clock (see `createTestClock`). */
  clock?: Clock;
  maxUpstreamCallsPerOperation?: number;
  /** The HTTP server's limits and timeouts; the production defaults unless set. */
  http?: Partial<HttpOptions>;
  /** Hardening options, as `createGateway` takes them. */
  hardening?: Pick<
    GatewayOptions,
    'documentLimits' | 'production' | 'introspection' | 'corsOrigins' | 'trustedDocuments'
  >;
  /** Keep no logs (for long runs); the leak check still searches each line. */
  quiet?: boolean;
  /** GraphiQL, as on the sandbox unless set. */
  graphiql?: false;
  /** Compiled execution (graphql-jit); on unless false. */
  compiledExecution?: boolean;
  /** Metrics and traces, as `createGateway` takes them. */
  telemetry?: Pick<GatewayOptions, 'plugins' | 'observers' | 'traceOf' | 'traceIdOf'>;
  /** The cache of Drata's pages and Redis, as `createGateway` takes them. */
  cache?: GatewayOptions['cache'];
  redis?: GatewayOptions['redis'];
}): Promise<RunningGateway> {
  const logs: string[] = [];
  const logger = createLogger('trace', {
    write: (line: string) => {
      watchLine(line, 'a log line of the gateway');
      if (options.quiet !== true) logs.push(line);
    },
  });
  const gateway = createGateway({
    baseUrl: options.baseUrl,
    // Tests get short deadlines and no client-side rate limit unless they ask for them.
    resilience: { timeoutMs: 2000, attemptTimeoutMs: 2000, rateLimitPerMinute: 0, ...options.resilience },
    logger,
    graphiql: options.graphiql ?? 'sandbox',
    ...(options.dispatcher !== undefined ? { dispatcher: options.dispatcher } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.maxUpstreamCallsPerOperation !== undefined
      ? { maxUpstreamCallsPerOperation: options.maxUpstreamCallsPerOperation }
      : {}),
    ...options.hardening,
    ...options.telemetry,
    ...(options.compiledExecution !== undefined ? { compiledExecution: options.compiledExecution } : {}),
    ...(options.listReader !== undefined ? { listReader: options.listReader } : {}),
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
    ...(options.redis !== undefined ? { redis: options.redis } : {}),
  });
  const server = createHttpServer(gateway, { ...defaultHttpOptions, ...options.http });
  watchServer(server, 'an answer of the gateway');
  const port = await listen(server);
  const stop = async (): Promise<void> => {
    await close(server);
    await gateway.close();
  };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    gateway,
    server,
    logs,
    close: stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** One error of a GraphQL answer. */
export interface GraphQLErrorBody {
  readonly message: string;
  readonly extensions: { readonly code?: string } & Readonly<Record<string, unknown>>;
}

/** A GraphQL answer over HTTP. */
export interface GraphQLAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    readonly data?: Readonly<Record<string, unknown>> | null;
    readonly errors?: readonly GraphQLErrorBody[];
  };
}

/** POSTs a GraphQL operation to `url`. */
export async function graphql(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLAnswer> {
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') recordCredential(value);
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as GraphQLAnswer['body'],
  };
}

/** A request as a test upstream received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** Header names in lower case, with values as received. */
  readonly headers: Record<string, string>;
  /** Raw header pairs in the order received. */
  readonly rawHeaders: readonly string[];
}

/** A test-only upstream on loopback that records every request it receives. */
export interface TestUpstream {
  readonly baseUrl: URL;
  readonly requests: RecordedRequest[];
  readonly server: Server;
  /** Open connections to it right now. */
  connections(): Promise<number>;
  /** Resolves when the connection that carried `request` closes. */
  closed(request: IncomingMessage): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a test upstream whose answers `handler` writes. Its base URL ends in `/public`. */
export async function startUpstream(
  handler: (request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest) => void,
  options: { record?: boolean } = {},
): Promise<TestUpstream> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const headers: Record<string, string> = {};
    for (let index = 0; index < request.rawHeaders.length; index += 2) {
      headers[request.rawHeaders[index]!.toLowerCase()] = request.rawHeaders[index + 1]!;
    }
    recordCredential(request.headers.authorization);
    const recorded = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers,
      rawHeaders: request.rawHeaders,
    };
    if (options.record !== false) requests.push(recorded);
    request.resume();
    handler(request, response, recorded);
  });
  const port = await listen(server);
  const stop = (): Promise<void> => close(server);
  return {
    baseUrl: new URL(`http://127.0.0.1:${port}/public`),
    requests,
    server,
    connections: () =>
      new Promise((resolve, reject) => {
        server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
      }),
    closed: (request) =>
      new Promise((resolve) => {
        if (request.socket.destroyed) resolve();
        else request.socket.once('close', () => resolve());
      }),
    close: stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Writes a JSON answer. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/** A valid Drata item with every field set; override what a test needs. */
export function drataItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 7,
    clientType: 'OKTA',
    state: 'ACTIVE',
    connected: true,
    connectedAt: '2025-07-01T16:45:55.246Z',
    failedAt: null,
    clientId: 'abc123',
    clientAlias: 'My-connection-alias-1',
    aliasUpdatedAt: '2025-07-02T08:00:00.000Z',
    deletedAt: null,
    providerTypes: [{ value: 'IDENTITY', isEnabled: true }],
    code: null,
    groupLabel: 'Everyone',
    ...overrides,
  };
}

/**
 * A value a test upstream can serve as data of the caller with `token`: distinct per token, and never
 * the token itself, which may not show in any answer.
 */
export const aliasOf = (token: string): string => `alias-${Buffer.from(token).toString('hex')}`;

/** A Drata page holding `data`. */
export const drataPage = (
  data: unknown[],
  page = 1,
  limit = 20,
  total = data.length,
): Record<string, unknown> => ({
  data,
  page,
  limit,
  total,
});

/** Every field of `DrataConnection`, for queries that compare whole nodes. */
export const connectionFields = `
  id clientType clientTypeRaw state stateRaw connected connectedAt failedAt clientId clientAlias
  aliasUpdatedAt deletedAt providerTypes { value valueRaw isEnabled } code groupLabel
`;

/** Every field of `DrataConnectionPage`. */
export const pageFields = `page limit total totalPages hasNextPage hasPreviousPage nodes { ${connectionFields} }`;

/** The sandbox and a gateway in front of it, for the tests of a file or a `describe` block. */
export interface SandboxGateway {
  readonly sandbox: Sandbox;
  readonly gateway: RunningGateway;
}

/**
 * Starts the sandbox and a gateway in front of it before the tests of the enclosing file or
 * `describe` block, and stops both after them. Read the fields inside tests and hooks only.
 */
export function useSandboxGateway(): SandboxGateway {
  let sandbox: Sandbox | undefined;
  let gateway: RunningGateway | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
    gateway = await startGateway({ baseUrl: sandbox.baseUrl });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });
  return {
    get sandbox() {
      if (!sandbox) throw new Error('the sandbox starts in beforeAll');
      return sandbox;
    },
    get gateway() {
      if (!gateway) throw new Error('the gateway starts in beforeAll');
      return gateway;
    },
  };
}

/** A clock whose time moves only when a test says, recording every sleep the policies ask for. */
export interface TestClock extends Clock {
  /** Moves time forward. */
  advance(ms: number): void;
  /** Every sleep asked for so far (ms), in order. */
  readonly sleeps: number[];
  /** While true, a sleep ends only when its signal aborts (to cancel a call in the middle of a wait). */
  holdSleeps: boolean;
}

/**
 * A test clock: `now` starts at 0 and moves by `advance` only; `sleep` records its wait and resolves
 * on the next turn of the event loop (or, with `holdSleeps`, never), rejecting when its signal aborts,
 * and with `advanceOnSleep` moves time by the wait; `random` is `random`.
 */
export function createTestClock(random = 0.5, options: { advanceOnSleep?: boolean } = {}): TestClock {
  let now = 0;
  const sleeps: number[] = [];
  const clock: TestClock = {
    now: () => now,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      if (options.advanceOnSleep === true) now += ms;
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      return new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        if (!clock.holdSleeps) setImmediate(resolve);
      });
    },
    random: () => random,
    advance: (ms) => {
      now += ms;
    },
    sleeps,
    holdSleeps: false,
  };
  return clock;
}

/** Resolves once `check` holds, checking every 5 ms; rejects with `what` after `deadlineMs`. */
export async function until(check: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A test upstream and a gateway in front of it, for the tests of a file or a `describe` block. */
export interface UpstreamGateway {
  readonly upstream: TestUpstream;
  readonly gateway: RunningGateway;
}

/**
 * Starts a test upstream answering with `handler`, and a gateway in front of it, before the tests of
 * the enclosing file or `describe` block; forgets the upstream's recorded requests before each test;
 * stops both after them. Read the fields inside tests and hooks only.
 */
export function useUpstreamGateway(
  handler: Parameters<typeof startUpstream>[0],
  options: Omit<GatewayTestOptions, 'baseUrl'> = {},
): UpstreamGateway {
  let upstream: TestUpstream | undefined;
  let gateway: RunningGateway | undefined;
  beforeAll(async () => {
    upstream = await startUpstream(handler);
    gateway = await startGateway({ ...options, baseUrl: upstream.baseUrl });
  });
  beforeEach(() => {
    if (upstream) upstream.requests.length = 0;
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });
  return {
    get upstream() {
      if (!upstream) throw new Error('the upstream starts in beforeAll');
      return upstream;
    },
    get gateway() {
      if (!gateway) throw new Error('the gateway starts in beforeAll');
      return gateway;
    },
  };
}

/** A test upstream and two gateways in front of it: one as in development, one in production. */
export interface DevelopmentAndProduction {
  readonly upstream: TestUpstream;
  readonly development: RunningGateway;
  readonly production: RunningGateway;
}

/**
 * Starts a test upstream answering one page of one connection, and a development and a production
 * gateway in front of it, for the tests of the enclosing file or block; forgets the upstream's
 * recorded requests before each test; stops all three after them.
 */
export function useDevelopmentAndProduction(): DevelopmentAndProduction {
  let started: DevelopmentAndProduction | undefined;
  beforeAll(async () => {
    const upstream = await startUpstream((_request, response) =>
      sendJson(response, 200, drataPage([drataItem()])),
    );
    started = {
      upstream,
      development: await startGateway({ baseUrl: upstream.baseUrl }),
      production: await startGateway({ baseUrl: upstream.baseUrl, hardening: { production: true } }),
    };
  });
  beforeEach(() => {
    if (started) started.upstream.requests.length = 0;
  });
  afterAll(async () => {
    await started?.development.close();
    await started?.production.close();
    await started?.upstream.close();
  });
  const get = (): DevelopmentAndProduction => {
    if (!started) throw new Error('the gateways start in beforeAll');
    return started;
  };
  return {
    get upstream() {
      return get().upstream;
    },
    get development() {
      return get().development;
    },
    get production() {
      return get().production;
    },
  };
}

/** The sandbox behind a recording test upstream, so that a test sees every call made to "Drata". */
export interface RecordedSandbox {
  readonly sandbox: Sandbox;
  /** Forwards every request to the sandbox and records it; its base URL ends in `/public`. */
  readonly drata: TestUpstream;
  close(): Promise<void>;
}

/** Starts the sandbox and a recording upstream in front of it. */
export async function startRecordedSandbox(): Promise<RecordedSandbox> {
  const sandbox = await startSandbox();
  const drata = await startUpstream((request, response) => {
    void fetch(`${sandbox.baseUrl.origin}${request.url ?? ''}`, {
      headers: { authorization: request.headers.authorization ?? '' },
    }).then(async (answer) => {
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  return {
    sandbox,
    drata,
    close: async () => {
      await drata.close();
      await sandbox.close();
    },
  };
}
