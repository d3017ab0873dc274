import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ShutdownOptions } from './config.js';
import { refusalBody } from './errors.js';
import type { Gateway } from './server.js';

/** How the gateway's HTTP server treats its clients. */
export interface HttpOptions {
  /** The largest request body read (bytes); past it, HTTP 413 and the connection is closed. */
  readonly maxRequestBytes: number;
  /** How long a client may take to send its request headers (ms). */
  readonly headersTimeoutMs: number;
  /** How long a client may take to send its whole request, body included (ms). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept (ms). */
  readonly keepAliveTimeoutMs: number;
}

export const defaultHttpOptions: HttpOptions = {
  maxRequestBytes: 256 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/** The largest request head (request line and headers) accepted; past it Node answers 431. */
export const maxHeaderBytes = 16 * 1024;

/** Answers 413 and closes the connection, so that the rest of the body is never read. */
function tooLarge(response: ServerResponse, limit: number): void {
  const body = refusalBody(
    `The request body is larger than ${limit} bytes (MAX_REQUEST_BYTES).`,
    'OPERATION_LIMIT_EXCEEDED',
  );
  response.shouldKeepAlive = false;
  response.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  response.end(body, () => response.socket?.destroy());
}

/**
 * Reads a request's body up to `limit` bytes. Resolves with it, or with undefined once the body passes
 * the limit (by its `content-length` before a byte is read, or as it streams), having read no more.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length']) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}

/** What a server is doing: the answers it owes, and whether it is draining. */
interface ServerState {
  draining: boolean;
  /** Requests answered so far (health checks aside). */
  answered: number;
  /** Requests received and not yet answered (or abandoned by their client). */
  readonly inFlight: Set<ServerResponse>;
  /** Called whenever a request leaves `inFlight`. */
  onIdle?: () => void;
}

const states = new WeakMap<Server, ServerState>();

/** Answers `/healthz` (the process is alive) and `/readyz` (it takes new work: 503 while draining). */
function health(request: IncomingMessage, response: ServerResponse, state: ServerState): boolean {
  const path = request.url?.split('?')[0];
  if (
    (path !== '/healthz' && path !== '/readyz') ||
    (request.method !== 'GET' && request.method !== 'HEAD')
  ) {
    return false;
  }
  const ready = path === '/healthz' || !state.draining;
  const body = JSON.stringify({ status: path === '/healthz' ? 'alive' : ready ? 'ready' : 'draining' });
  response.writeHead(ready ? 200 : 503, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * The gateway's HTTP server: bounded request heads and bodies, and timeouts that keep slow clients
 * from holding sockets. A body within the cap is read once and handed to yoga as it is. It answers
 * `/healthz` and `/readyz` itself, and counts the requests it owes an answer, for {@link drain}.
 */
export function createHttpServer(
  gateway: Pick<Gateway, 'yoga'>,
  options: HttpOptions = defaultHttpOptions,
): Server {
  const state: ServerState = { draining: false, answered: 0, inFlight: new Set() };
  const server = createServer(
    {
      maxHeaderSize: maxHeaderBytes,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // How often Node checks those timeouts (its default, 30 s, would let a stalled client stay longer).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(options.headersTimeoutMs / 2)),
    },
    (request, response) => {
      // A draining server closes each connection after its answer, so that clients go elsewhere.
      if (state.draining) response.setHeader('connection', 'close');
      if (health(request, response, state)) return;
      state.inFlight.add(response);
      response.once('close', () => {
        state.inFlight.delete(response);
        if (response.writableFinished) state.answered += 1;
        state.onIdle?.();
      });
      readBody(request, options.maxRequestBytes).then(
        (body) => {
          if (body === undefined) {
            tooLarge(response, options.maxRequestBytes);
            return;
          }
          // whatwg-node reads a body already read by the server from `request.body`.
          if (body.length > 0) Object.assign(request, { body });
          gateway.yoga.requestListener(request, response);
        },
        () => response.destroy(),
      );
    },
  );
  states.set(server, state);
  return server;
}

/** How a drain ended. */
export interface Drained {
  /** Requests answered after the drain began. */
  readonly finished: number;
  /** Requests still unanswered when the grace period ended, whose connections were closed. */
  readonly cut: number;
}

/** Resolves after `ms`, or at once when `signal` aborts (its timer cleared then). */
const delay = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Stops a server made by {@link createHttpServer} without losing work: `/readyz` answers 503 at once
 * and every answer closes its connection; after `delayMs` the listener closes (no new connections)
 * along with idle ones; requests in flight then have `graceMs` to be answered, after which the
 * connections left are closed. `signal` ends the waits early (a second signal to the process).
 */
export async function drain(
  server: Server,
  options: ShutdownOptions,
  signal?: AbortSignal,
): Promise<Drained> {
  const state = states.get(server);
  if (!state) throw new Error('drain() takes a server made by createHttpServer()');
  state.draining = true;
  const answeredBefore = state.answered;
  for (const response of state.inFlight) {
    if (!response.headersSent) response.setHeader('connection', 'close');
  }
  if (options.delayMs > 0) await delay(options.delayMs, signal);
  // Closing the listener also closes the idle keep-alive connections.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const grace = new AbortController();
  const answered = new Promise<void>((resolve) => {
    state.onIdle = () => {
      if (state.inFlight.size === 0) resolve();
    };
    state.onIdle();
  });
  await Promise.race([
    answered,
    delay(options.graceMs, AbortSignal.any([grace.signal, ...(signal ? [signal] : [])])),
  ]);
  grace.abort();
  const cut = state.inFlight.size;
  server.closeAllConnections();
  await closed;
  return { finished: state.answered - answeredBefore, cut };
}
