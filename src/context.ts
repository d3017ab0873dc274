import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { YogaInitialContext } from 'graphql-yoga';
import { unauthenticated } from './errors.js';
import type { Logger } from './logger.js';
import type { DrataTransport } from './upstream/client.js';
import {
  listPageQuery,
  readList,
  type ListFilter,
  type ListRead,
  type ListReaderOptions,
  type ListShape,
} from './upstream/list-reader.js';
import { findConnectionsById } from './upstream/scan.js';
import type { ConnectionDto, ConnectionPageDto } from './upstream/types.js';

/** What a request may do with Drata: per-request loaders bound to the caller's token. */
export interface DrataSession {
  /**
   * `GET /connections` pages keyed by their normal query string (see `connectionsQuery`): equal keys
   * in one operation make one upstream call.
   */
  readonly connectionsPage: DataLoader<string, ConnectionPageDto>;
  /**
   * Reads the whole list matching `filter` (see `readList`), its pages at `limit=50` through
   * `connectionsPage`, so a page any other field of the operation asks for is fetched once.
   */
  readonly readList: (
    filter: ListFilter,
    visit: (page: ConnectionPageDto) => void,
    until?: (shape: ListShape) => boolean,
  ) => Promise<ListRead>;
  /**
   * Connections by id, for entity references: every id asked for in one operation becomes one read
   * of the unfiltered list through `readList`. Null for an id that does not exist.
   */
  readonly connectionById: DataLoader<string, ConnectionDto | null>;
  /** How far a list read may go (`DRATA_LIST_MAX_PAGES`, `DRATA_ENTITY_SCAN_PARALLELISM`). */
  readonly listReader: ListReaderOptions;
}

/** The context of one GraphQL request. Everything in it dies with the request. */
export interface GatewayContext extends YogaInitialContext {
  /** The caller's `x-request-id` when it is a plain id, else a fresh UUID. Sent to Drata and in errors. */
  readonly requestId: string;
  readonly logger: Logger;
  /**
   * The caller's session with Drata, made on first use. Throws an `UNAUTHENTICATED`
   * `GatewayError` when the request has no usable `Authorization` header.
   */
  readonly drata: () => DrataSession;
  /** Notes an enum value from Drata that the schema does not list (logged once per value). */
  readonly reportUnknownValue: (enumName: string, value: string) => void;
}

const maxAuthorizationLength = 4096;
const bearer = /^Bearer +([\x21-\x7e]+)$/i;
const plainRequestId = /^[\w.:-]{1,128}$/;

/** A usable `Authorization` header and the token in it. */
interface Credentials {
  readonly authorization: string;
  readonly secret: string;
}

/**
 * Checks an `Authorization` header: it must be `Bearer <token>`, at most 4 KiB, with a token of
 * visible ASCII characters. Returns the credentials, or the reason it cannot be used (which never
 * quotes the header).
 */
function parseAuthorization(header: string | null): Credentials | { readonly reason: string } {
  if (header === null || header.trim() === '') return { reason: 'No Authorization header' };
  if (header.length > maxAuthorizationLength) {
    return { reason: `The Authorization header is longer than ${maxAuthorizationLength} bytes` };
  }
  const match = bearer.exec(header);
  if (!match?.[1]) {
    return /^bearer\b/i.test(header)
      ? { reason: 'The Authorization header has an empty or malformed token' }
      : { reason: 'The Authorization header does not use the Bearer scheme' };
  }
  return { authorization: header, secret: match[1] };
}

/** Whether a `Cache-Control` header says `no-cache`: the caller wants Drata's answer, not a kept one. */
const asksForFresh = (header: string | null): boolean =>
  header !== null && header.split(',').some((directive) => directive.trim().toLowerCase() === 'no-cache');

/** Everything the per-request context is made from; all of it lives as long as the gateway. */
export interface ContextDependencies {
  readonly transport: DrataTransport;
  readonly listReader: ListReaderOptions;
  readonly logger: Logger;
  readonly reportUnknownValue: (enumName: string, value: string) => void;
  /** The trace context of a request, for the transport (when tracing is on). */
  readonly traceOf?: (request: Request) => unknown;
}

const requestIds = new WeakMap<Request, string>();

/**
 * The request id of a request: the caller's `x-request-id` when it is a plain id, else a new UUID,
 * the same one every time it is asked for the same request.
 */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    const given = request.headers.get('x-request-id');
    id = given !== null && plainRequestId.test(given) ? given : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** What one request has asked of Drata so far. */
export interface Usage {
  /** Distinct calls to Drata the request's loaders asked the transport for (joined calls included). */
  upstreamCalls: number;
}

const usages = new WeakMap<Request, Usage>();

/** The usage of a request, counted from its first call to Drata on. */
export function usageOf(request: Request): Usage {
  let usage = usages.get(request);
  if (usage === undefined) {
    usage = { upstreamCalls: 0 };
    usages.set(request, usage);
  }
  return usage;
}

/** Makes yoga's `context` factory: a fresh context, client and loaders for every request. */
export function createContextFactory(dependencies: ContextDependencies) {
  return (initial: YogaInitialContext): GatewayContext => {
    const { request } = initial;
    const requestId = requestIdOf(request);
    const logger = dependencies.logger.child({ requestId });
    let session: DrataSession | undefined;
    const drata = (): DrataSession => {
      if (session) return session;
      const credentials = parseAuthorization(request.headers.get('authorization'));
      if ('reason' in credentials) throw unauthenticated(credentials.reason, requestId);
      const trace = dependencies.traceOf?.(request);
      const client = dependencies.transport.forCaller({
        ...credentials,
        requestId,
        signal: request.signal,
        refresh: asksForFresh(request.headers.get('cache-control')),
        ...(trace !== undefined ? { trace } : {}),
      });
      const usage = usageOf(request);
      const connectionsPage = new DataLoader<string, ConnectionPageDto>(
        (queries) => {
          usage.upstreamCalls += queries.length;
          return Promise.all(
            queries.map((query) =>
              client
                .listConnections(query)
                .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
            ),
          );
        },
        { maxBatchSize: 16 },
      );
      const { listReader } = dependencies;
      const loadListPage =
        (filter: ListFilter) =>
        (page: number): Promise<ConnectionPageDto> =>
          connectionsPage.load(listPageQuery(filter, page));
      const connectionById = new DataLoader<string, ConnectionDto | null>((ids) =>
        findConnectionsById(ids, loadListPage({}), listReader, requestId),
      );
      session = {
        connectionsPage,
        readList: (filter, visit, until) => readList(loadListPage(filter), listReader, visit, until),
        connectionById,
        listReader,
      };
      return session;
    };
    return { ...initial, requestId, logger, drata, reportUnknownValue: dependencies.reportUnknownValue };
  };
}
