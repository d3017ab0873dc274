import { Agent, request, type Dispatcher } from 'undici';
import {
  GatewayError,
  badResponse,
  errorForStatus,
  errorForTransport,
  parseRetryAfter,
  unexpected,
  upstreamTimeout,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { ConnectionPageDto } from './types.js';
import { asException, checkConnectionPage } from './validate.js';

/** How the gateway reaches Drata. One per process. */
export interface DrataTransportOptions {
  /** Drata's base URL, such as `https://public-api.drata.com/public`. */
  readonly baseUrl: URL;
  /** The deadline of one call, in milliseconds. */
  readonly timeoutMs: number;
  /** The `User-Agent` header of every call. */
  readonly userAgent: string;
  /** The largest answer body accepted, in bytes. */
  readonly maxResponseBytes?: number;
  /** The connection pool to use; by default the transport makes and owns a keep-alive `Agent`. */
  readonly dispatcher?: Dispatcher;
  readonly logger: Logger;
}

/** Who a call is made for. Born with a GraphQL request and gone with it. */
export interface Caller {
  /** The caller's `Authorization` header, forwarded byte for byte. */
  readonly authorization: string;
  /** The token inside it, to scrub from anything Drata echoes. */
  readonly secret: string;
  readonly requestId: string;
  /** Aborts the call when the caller goes away. */
  readonly signal?: AbortSignal | undefined;
}

/** Drata's API as one caller sees it. */
export interface DrataClient {
  /**
   * `GET /connections?{query}`. Resolves with the checked page; rejects with a {@link GatewayError}
   * for every failure, `INTERNAL_SERVER_ERROR` ("Unexpected error.") for one it cannot name, whose
   * details go to the log only.
   */
  listConnections(query: string): Promise<ConnectionPageDto>;
}

/** The only HTTP client of Drata: binds callers to the process's connection pool. */
export interface DrataTransport {
  /** A client that calls Drata with this caller's credentials. */
  forCaller(caller: Caller): DrataClient;
  /** Closes the pool if the transport made it. */
  close(): Promise<void>;
}

const defaultMaxResponseBytes = 5 * 1024 * 1024;
const maxErrorBodyBytes = 64 * 1024;

type Body = Dispatcher.ResponseData['body'];

/** Reads a body up to `limit` bytes. Returns undefined, with the body destroyed, past the limit. */
async function readCapped(body: Body, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

const ignore = (): void => undefined;

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Creates the transport: one keep-alive pool for the process, per-caller clients on top of it. */
export function createDrataTransport(options: DrataTransportOptions): DrataTransport {
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    new Agent({ keepAliveTimeout: 10_000, connections: 32, connect: { timeout: options.timeoutMs } });
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
  const base = options.baseUrl.href.replace(/\/+$/, '');
  const { logger } = options;

  async function call(caller: Caller, query: string): Promise<ConnectionPageDto> {
    const { requestId } = caller;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    const signal = caller.signal ? AbortSignal.any([deadline.signal, caller.signal]) : deadline.signal;
    let body: Body | undefined;
    try {
      const response = await request(`${base}/connections?${query}`, {
        method: 'GET',
        dispatcher,
        signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        headers: {
          authorization: caller.authorization,
          accept: 'application/json',
          'user-agent': options.userAgent,
          'x-request-id': requestId,
        },
      });
      body = response.body;
      const { statusCode } = response;
      if (statusCode < 200 || statusCode >= 300) {
        const text = statusCode >= 400 ? await readCapped(body, maxErrorBodyBytes) : undefined;
        const retryAfterHeader = response.headers['retry-after'];
        logger.warn({ requestId, upstreamStatus: statusCode }, 'Drata answered with an error status');
        throw errorForStatus({
          status: statusCode,
          body: text === undefined ? undefined : asException(parseJson(text)),
          retryAfter: parseRetryAfter(
            Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
          ),
          requestId,
          secret: caller.secret,
        });
      }
      const declared = Number(response.headers['content-length']);
      if (declared > maxResponseBytes) throw badResponse('the answer is too large', requestId, statusCode);
      const text = await readCapped(body, maxResponseBytes);
      if (text === undefined) throw badResponse('the answer is too large', requestId, statusCode);
      const json = parseJson(text);
      if (json === undefined) throw badResponse('the answer is not JSON', requestId, statusCode);
      const page = checkConnectionPage(json);
      if ('invalid' in page) {
        logger.warn({ requestId, problem: page.invalid }, 'Drata answered with an unexpected shape');
        throw badResponse('the answer does not have the documented shape', requestId, statusCode);
      }
      return page;
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (deadline.signal.aborted) {
        logger.warn({ requestId, timeoutMs: options.timeoutMs }, 'Drata did not answer in time');
        throw upstreamTimeout(requestId);
      }
      const typed = errorForTransport(error, requestId);
      logger.warn({ requestId, cause: (error as { code?: unknown }).code }, 'Calling Drata failed');
      if (typed) throw typed;
      logger.error({ requestId, err: error }, 'Unexpected failure calling Drata');
      throw unexpected(requestId);
    } finally {
      clearTimeout(timer);
      // Every path leaves the body consumed or destroyed, so the socket goes back to the pool or away.
      if (body && !body.readableEnded) {
        // A destroyed body reports an abort error: nothing waits for it any more.
        body.on('error', ignore);
        body.destroy();
      }
    }
  }

  return {
    forCaller: (caller) => ({ listConnections: (query) => call(caller, query) }),
    close: async () => {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
