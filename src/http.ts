import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/**
 * The gateway's HTTP server: bounded request heads and bodies, and timeouts that keep slow clients
 * from holding sockets. A body within the cap is read once and handed to yoga as it is.
 */
export function createHttpServer(
  gateway: Pick<Gateway, 'yoga'>,
  options: HttpOptions = defaultHttpOptions,
): Server {
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
  return server;
}
