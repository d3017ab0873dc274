import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { addResolversToSchema } from '@graphql-tools/schema';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { NoSchemaIntrospectionCustomRule, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createYoga, type CORSOptions, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Dispatcher } from 'undici';
import { createContextFactory, requestIdOf, type GatewayContext } from './context.js';
import { useOperationLog } from './operation-log.js';
import { useCompiledExecution, type ExecutionStats } from './compiled-execution.js';
import { badUserInput, toPublicError } from './errors.js';
import { defaultDocumentLimits, useDocumentLimits, type DocumentLimits } from './document-limits.js';
import { graphiqlOptions, type GraphiQLTarget } from './graphiql.js';
import { useRequestGuard } from './request-guard.js';
import { useTrustedDocuments, type TrustedDocuments } from './trusted-documents.js';
import { defaultMaxUpstreamCallsPerOperation, useUpstreamBudget } from './operation-budget.js';
import type { Logger } from './logger.js';
import { createUnknownValueReporter } from './resolvers/enums.js';
import { entityResolvers, resolvers } from './resolvers/index.js';
import {
  combineObservers,
  createDrataTransport,
  type DrataTransport,
  type UpstreamObserver,
} from './upstream/client.js';
import {
  createMemoryCache,
  createRedisCache,
  defaultCache,
  type CacheOptions,
  type CacheStats,
} from './upstream/cache.js';
import {
  createRateLimiter,
  defaultResilience,
  systemClock,
  type Clock,
  type ResilienceOptions,
} from './upstream/policies.js';
import type { RedisLink } from './upstream/redis.js';
import { createSharedRateLimiter } from './upstream/shared-rate-limit.js';
import { defaultListReader, type ListReaderOptions } from './upstream/list-reader.js';

const schemaDirectory = new URL('../schema/', import.meta.url);

/** The SDL files of `schema/` that make the schema's contract. */
const schemaFiles = ['schema.graphql', 'enums.generated.graphql'] as const;

/** The gateway's SDL: the files of `schema/`, read once, as one document. */
const loadTypeDefs = (): string =>
  schemaFiles.map((file) => readFileSync(new URL(file, schemaDirectory), 'utf8')).join('\n');

/**
 * The executable schema: a Federation v2 subgraph (`_service`, `_entities`) built by `@apollo/subgraph`
 * from the SDL and the entity resolvers, with the typed field resolvers added by `@graphql-tools`.
 */
export function createSchema(): GraphQLSchema {
  const subgraph = buildSubgraphSchema({
    typeDefs: parse(loadTypeDefs()),
    resolvers: entityResolvers as GraphQLResolverMap<unknown>,
  });
  const schema = addResolversToSchema({ schema: subgraph, resolvers });
  checkRepresentations(schema);
  return schema;
}

/**
 * Makes `_entities` refuse, as `BAD_USER_INPUT`, representations that are not `DrataConnection`s with an
 * `id`, instead of failing inside the federation library.
 */
function checkRepresentations(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve;
  if (!field || !resolve) return;
  field.resolve = (source, args: { representations?: unknown }, context: GatewayContext, info) => {
    const { representations } = args;
    const valid =
      Array.isArray(representations) &&
      representations.every(
        (representation: unknown) =>
          typeof representation === 'object' &&
          representation !== null &&
          (representation as { __typename?: unknown }).__typename === 'DrataConnection' &&
          ['string', 'number'].includes(typeof (representation as { id?: unknown }).id),
      );
    if (!valid) {
      throw badUserInput(
        'Every representation must be a DrataConnection with an id: { "__typename": "DrataConnection", "id": "…" }.',
        context.requestId,
      );
    }
    return resolve(source, args, context, info);
  };
}

/** The gateway's name and version, as sent in `User-Agent`. */
export const userAgent = ((): string => {
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${name}/${version}`;
})();

/** What {@link createGateway} needs. */
export interface GatewayOptions {
  /** Drata's base URL (or the sandbox's). */
  readonly baseUrl: URL;
  /** Deadlines, retries, breaker, rate limit and concurrency toward Drata; unset fields take defaults. */
  readonly resilience?: Partial<ResilienceOptions>;
  readonly logger: Logger;
  /** Serve GraphiQL to browsers at `/graphql`, set up for the sandbox or for Drata; or not at all. */
  readonly graphiql: GraphiQLTarget | false;
  /** How far a read of Drata's whole list (an entity lookup, a summary) may go. */
  readonly listReader?: ListReaderOptions;
  /** A connection pool to use instead of the gateway's own (tests inject one). */
  readonly dispatcher?: Dispatcher;
  /** The clock of the policies toward Drata; the system's by default (tests inject one). */
  readonly clock?: Clock;
  /** Distinct calls to Drata one operation's `connections` fields may need; 10 by default. */
  readonly maxUpstreamCallsPerOperation?: number;
  /** Limits on documents (aliases, depth, directives, tokens, cost); unset fields take defaults. */
  readonly documentLimits?: Partial<DocumentLimits>;
  /**
   * Production hardening: document limits without their numbers, no "Did you mean" suggestions, and
   * introspection off unless `introspection` says otherwise. Off by default.
   */
  readonly production?: boolean;
  /** Whether `__schema` and `__type` answer; by default, outside production only. */
  readonly introspection?: boolean;
  /** Origins allowed to call from a browser (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** Run only these documents, asked for by id; any document by default. */
  readonly trustedDocuments?: TrustedDocuments;
  /** Told of every attempt sent to Drata (metrics, traces). */
  readonly observers?: readonly UpstreamObserver[];
  /** More yoga plugins (metrics, traces), run before the gateway's own. */
  readonly plugins?: readonly Plugin<GatewayContext>[];
  /** The trace context of a request, handed to the transport as the parent of its attempts. */
  readonly traceOf?: (request: Request) => unknown;
  /** The trace id of a request, for its log line. */
  readonly traceIdOf?: (request: Request) => string | undefined;
  /** Run documents that come back often as compiled code (graphql-jit); on by default. */
  readonly compiledExecution?: boolean;
  /** Keep Drata's pages per caller for a while (`DRATA_CACHE_TTL_SECONDS`); off by default. */
  readonly cache?: Partial<CacheOptions>;
  /**
   * Redis, shared by every replica: the cache goes there, and the rate limit toward Drata becomes one
   * bucket of `resilience.rateLimitPerMinute` for all of them. While Redis is unreachable, this
   * process's own bucket of `fallbackRateLimitPerMinute` (by default the whole rate) stands in.
   */
  readonly redis?: { readonly link: RedisLink; readonly fallbackRateLimitPerMinute?: number };
}

/** A gateway: the yoga server (a fetch handler and a `node:http` listener) and its shutdown. */
export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The transport toward Drata: its counters and its connection pool, the cache's, Redis's state. */
  readonly upstream: Pick<DrataTransport, 'stats' | 'dispatcher'> & {
    readonly cache?: Readonly<CacheStats>;
    readonly redis?: Pick<RedisLink, 'fallback' | 'fallbacks'>;
  };
  /** What compiled execution has done (all zero when it is off). */
  readonly execution: Readonly<ExecutionStats>;
  /** Closes the connection pool toward Drata. */
  close(): Promise<void>;
}

/** Echoes the request id of every GraphQL response in its `x-request-id` header. */
const requestIdHeader = (endpoint: string): Plugin<GatewayContext> => {
  // Marked on arrival, from the URL yoga has already parsed.
  const graphqlRequests = new WeakSet<Request>();
  return {
    onRequest: ({ request, url }) => {
      if (url.pathname === endpoint) graphqlRequests.add(request);
    },
    onResponse: ({ request, response }) => {
      if (graphqlRequests.has(request)) response.headers.set('x-request-id', requestIdOf(request));
    },
  };
};

/** Refuses `__schema` and `__type` (introspection); `__typename` and `_service { sdl }` still answer. */
const noIntrospection = (): Plugin<GatewayContext> => ({
  onValidate: ({ addValidationRule }) => {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
});

/**
 * CORS for exactly `origins`: a request from one of them gets its own origin back, with credentials;
 * any other origin (or none) gets no CORS header at all, never `*`.
 */
const corsFor =
  (origins: readonly string[]) =>
  (request: Request): CORSOptions => {
    const origin = request.headers.get('origin');
    if (origin === null || !origins.includes(origin)) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id'],
    };
  };

/** Answers vary by `Origin` where CORS is on, so that no cache serves one origin's headers to another. */
const varyByOrigin = (): Plugin<GatewayContext> => ({
  onResponse: ({ response }) => {
    const vary = response.headers.get('vary');
    if (!vary?.split(',').some((name) => name.trim().toLowerCase() === 'origin')) {
      response.headers.set('vary', vary ? `${vary}, Origin` : 'Origin');
    }
  },
});

/**
 * Gives every error in a result a `code` and only public extensions, and in production no "Did you
 * mean" hints (see {@link toPublicError}).
 */
const publicErrors = (logger: Logger, withoutSuggestions: boolean): Plugin<GatewayContext> => {
  const clean = (result: ExecutionResult): ExecutionResult => {
    if (!result.errors?.length) return result;
    const errors = result.errors.map((error) => {
      const cleaned = toPublicError(error, { withoutSuggestions });
      if (cleaned.extensions['code'] === 'INTERNAL_SERVER_ERROR' && cleaned !== error) {
        logger.error({ err: error, path: error.path }, 'A field failed without an error code');
      }
      return cleaned;
    });
    return { ...result, errors };
  };
  return {
    onResultProcess: (payload) => {
      const { result } = payload;
      if (Array.isArray(result)) payload.setResult(result.map(clean));
      else if (!(Symbol.asyncIterator in result)) payload.setResult(clean(result));
    },
  };
};

/**
 * Builds the gateway without listening: `gateway.yoga.fetch` serves requests in-process and
 * `http.createServer(gateway.yoga)` serves them on a socket.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { logger } = options;
  const production = options.production ?? false;
  const clock = options.clock ?? systemClock;
  const cacheOptions: CacheOptions = { ...defaultCache, ...options.cache };
  const { link: redis, fallbackRateLimitPerMinute } = options.redis ?? {};
  // What shares Redis shares per Drata: a short digest of the base URL in every key.
  const scope = createHash('sha256').update(options.baseUrl.href).digest('hex').slice(0, 16);
  const cache =
    cacheOptions.ttlSeconds <= 0
      ? undefined
      : redis
        ? createRedisCache(redis, { ...cacheOptions, scope }, clock.now)
        : createMemoryCache(cacheOptions, clock.now);
  const rateLimitPerMinute = options.resilience?.rateLimitPerMinute ?? defaultResilience.rateLimitPerMinute;
  const rateLimiter =
    redis &&
    createSharedRateLimiter(
      redis,
      { rateLimitPerMinute, scope },
      createRateLimiter({ rateLimitPerMinute: fallbackRateLimitPerMinute ?? rateLimitPerMinute }, clock.now),
    );
  const transport = createDrataTransport({
    ...(cache ? { cache } : {}),
    ...(rateLimiter ? { rateLimiter } : {}),
    baseUrl: options.baseUrl,
    userAgent,
    logger,
    ...(options.resilience !== undefined ? { resilience: options.resilience } : {}),
    ...(options.dispatcher !== undefined ? { dispatcher: options.dispatcher } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.observers?.length ? { observer: combineObservers(options.observers) } : {}),
  });
  const execution: ExecutionStats = { compiled: 0, compiledRuns: 0, fallbacks: 0 };
  const reportUnknownValue = createUnknownValueReporter((details, message) => logger.warn(details, message));
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: createSchema(),
    context: createContextFactory({
      transport,
      listReader: options.listReader ?? defaultListReader,
      logger,
      reportUnknownValue,
      ...(options.traceOf ? { traceOf: options.traceOf } : {}),
    }),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    graphiql: options.graphiql === false ? false : graphiqlOptions(options.graphiql),
    renderGraphiQL,
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => {
        const error = args.find((arg): arg is Error => arg instanceof Error);
        logger.error({ err: error }, 'GraphQL request failed unexpectedly');
      },
    },
    cors: corsFor(options.corsOrigins ?? []),
    ...(options.trustedDocuments ? { extraParamNames: ['documentId'] } : {}),
    plugins: [
      ...(options.plugins ?? []),
      useRequestGuard('/graphql'),
      ...(options.trustedDocuments ? [useTrustedDocuments(options.trustedDocuments)] : []),
      ...useDocumentLimits(
        { ...defaultDocumentLimits, ...options.documentLimits },
        { exposeLimits: !production },
      ),
      ...((options.introspection ?? !production) ? [] : [noIntrospection()]),
      ...(options.corsOrigins?.length ? [varyByOrigin()] : []),
      requestIdHeader('/graphql'),
      useUpstreamBudget(options.maxUpstreamCallsPerOperation ?? defaultMaxUpstreamCallsPerOperation),
      ...(options.compiledExecution === false ? [] : [useCompiledExecution(execution)]),
      publicErrors(logger, production),
      useOperationLog(logger, {
        endpoint: '/graphql',
        ...(options.traceIdOf ? { traceIdOf: options.traceIdOf } : {}),
      }),
    ],
  });
  const upstream: Gateway['upstream'] = {
    stats: transport.stats,
    dispatcher: transport.dispatcher,
    ...(cache ? { cache: cache.stats } : {}),
    ...(redis ? { redis } : {}),
  };
  return { yoga, upstream, execution, close: () => transport.close() };
}
