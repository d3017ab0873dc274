import { readFileSync } from 'node:fs';
import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapSetter,
  diag,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.js';
import { toPublicError } from './errors.js';
import type { Logger } from './logger.js';
import type { AttemptResult, UpstreamObserver } from './upstream/client.js';

/** The service name spans carry unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` say otherwise. */
export const defaultServiceName = 'drata-graphql-gateway';

/** The OTLP protocols traces can be exported with (`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`). */
export const otlpProtocols = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];

/** Traces of the gateway, exported over OTLP: see {@link startTracing}. */
export interface Tracing {
  /** Starts a SERVER span per GraphQL request, continuing the caller's `traceparent`. */
  readonly plugin: Plugin<GatewayContext>;
  /** Makes a CLIENT span per attempt sent to Drata, and the `traceparent` sent with it. */
  readonly observer: UpstreamObserver;
  /** The trace context of a request's SERVER span, for the transport (the parent of its attempts). */
  readonly traceOf: (request: Request) => Context | undefined;
  /** The trace id of a request's SERVER span, for its log lines. */
  readonly traceIdOf: (request: Request) => string | undefined;
  /** Exports the spans not yet sent, then stops. Resolves within 5 seconds even if the collector is away. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** What the environment asks of traces. */
export type TracingSettings =
  | { readonly on: true; readonly protocol: OtlpProtocol; readonly endpoint: string | undefined }
  | { readonly on: false; readonly warning?: string };

const value = (env: Env, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
};

/**
 * Reads the standard `OTEL_*` variables: traces are on when an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`) or `OTEL_TRACES_EXPORTER`
 * names `otlp`; off with `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`, and off (with a
 * warning) for an exporter or protocol the gateway does not have.
 */
export function tracingSettings(env: Env): TracingSettings {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { on: false };
  const exporters = (value(env, 'OTEL_TRACES_EXPORTER') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return { on: false };
  const endpoint =
    value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (exporters.length > 0 && !exporters.includes('otlp')) {
    return {
      on: false,
      warning: `OTEL_TRACES_EXPORTER=${JSON.stringify(env['OTEL_TRACES_EXPORTER'])} names no exporter the gateway has (otlp or none): traces are off.`,
    };
  }
  if (exporters.length === 0 && endpoint === undefined) return { on: false };
  const protocol =
    value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ??
    value(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf';
  if (!(otlpProtocols as readonly string[]).includes(protocol)) {
    return {
      on: false,
      warning: `The OTLP protocol ${JSON.stringify(protocol)} is not one of ${otlpProtocols.join(', ')}: traces are off.`,
    };
  }
  return { on: true, protocol: protocol as OtlpProtocol, endpoint };
}

/** An endpoint as it may be logged: scheme, host and path, without credentials or query. */
const shownEndpoint = (endpoint: string | undefined): string | undefined => {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    return ['http:', 'https:'].includes(url.protocol) ? `${url.origin}${url.pathname}` : undefined;
  } catch {
    return undefined;
  }
};

/** The OTLP trace exporter for `protocol`; each reads its endpoint, headers, timeout and compression from the environment. */
async function createExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  switch (protocol) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

/** Reads a Fetch API request's headers for the propagator. */
const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const isContext = (value: unknown): value is Context =>
  typeof value === 'object' && value !== null && typeof (value as Context).getValue === 'function';

/** What the plugin keeps of one GraphQL request. */
interface OperationTrace {
  readonly span: Span;
  /** The caller's context with the SERVER span in it: the parent of the request's attempts. */
  readonly context: Context;
  /** The `extensions.code` of every error of the result, in order, without repeats. */
  readonly codes: string[];
  ended: boolean;
}

/** The error codes of a result, as the gateway answers them (see `toPublicError`). */
function errorCodes(result: ExecutionResult): string[] {
  return (result.errors ?? []).map((error) => {
    const code = toPublicError(error).extensions['code'];
    return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  });
}

/**
 * The parts of tracing that use a tracer only: the yoga plugin, the upstream observer and the lookups.
 * Exported for tests that bring their own tracer provider; {@link startTracing} is the way in.
 */
export function createTracingHooks(tracer: Tracer, graphqlEndpoint = '/graphql'): Omit<Tracing, 'shutdown'> {
  const propagator = new W3CTraceContextPropagator();
  const operations = new WeakMap<Request, OperationTrace>();

  const nameOperation = (request: Request, document: DocumentNode, operationName?: string | null): void => {
    const operation = operations.get(request);
    if (!operation || operation.ended) return;
    const ast = getOperationAST(document, operationName ?? undefined);
    if (!ast) return;
    const type = ast.operation;
    const name = ast.name?.value;
    operation.span.updateName(name === undefined ? type : `${type} ${name}`);
    operation.span.setAttribute('graphql.operation.type', type);
    if (name !== undefined) operation.span.setAttribute('graphql.operation.name', name);
  };

  const plugin: Plugin<GatewayContext> = {
    onRequest: ({ request, url }) => {
      if (url.pathname !== graphqlEndpoint) return;
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headersGetter);
      const span = tracer.startSpan(
        'GraphQL Operation',
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'url.path': url.pathname },
        },
        parent,
      );
      operations.set(request, { span, context: trace.setSpan(parent, span), codes: [], ended: false });
    },
    onValidate: ({ context, params }) => {
      nameOperation(context.request, params.documentAST as DocumentNode, context.params.operationName);
    },
    onExecute: ({ args }) => {
      const { request, requestId } = args.contextValue;
      nameOperation(request, args.document as DocumentNode, args.operationName as string | null | undefined);
      operations.get(request)?.span.setAttribute('gateway.request_id', requestId);
    },
    onResultProcess: ({ request, result }) => {
      const operation = operations.get(request);
      if (!operation) return;
      const results = Array.isArray(result) ? result : Symbol.asyncIterator in result ? [] : [result];
      for (const code of results.flatMap(errorCodes)) {
        if (!operation.codes.includes(code)) operation.codes.push(code);
      }
    },
    onResponse: ({ request, response }) => {
      const operation = operations.get(request);
      if (!operation || operation.ended) return;
      operation.ended = true;
      const { span, codes } = operation;
      span.setAttribute('http.response.status_code', response.status);
      if (codes.length > 0) span.setAttribute('gateway.error_codes', codes);
      if (codes.length > 0 || response.status >= 400) {
        span.setAttribute('error.type', codes[0] ?? String(response.status));
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: codes.length > 0 ? codes.join(', ') : `HTTP ${response.status}`,
        });
      }
      span.end();
    },
  };

  const endAttempt = (span: Span, result: AttemptResult): void => {
    if (typeof result === 'number') {
      span.setAttribute('http.response.status_code', result);
      if (result >= 400) {
        span.setAttribute('error.type', String(result));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    } else {
      span.setAttribute('error.type', result);
      span.setStatus({ code: SpanStatusCode.ERROR, message: result });
    }
    span.end();
  };

  const observer: UpstreamObserver = {
    attemptStarted: ({ attempt, method, url, requestId, parent }) => {
      try {
        const parentContext = isContext(parent) ? parent : ROOT_CONTEXT;
        const target = new URL(url);
        const attributes: Attributes = {
          'http.request.method': method,
          'url.full': url,
          'url.template': target.pathname,
          'server.address': target.hostname.replace(/^\[|\]$/g, ''),
          'server.port': Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
          'gateway.request_id': requestId,
        };
        // Per the HTTP conventions, only a request sent again carries its resend count.
        if (attempt > 1) attributes['http.request.resend_count'] = attempt - 1;
        const span = tracer.startSpan(
          `${method} ${target.pathname}`,
          { kind: SpanKind.CLIENT, attributes },
          parentContext,
        );
        const headers: Record<string, string> = {};
        propagator.inject(trace.setSpan(parentContext, span), headers, defaultTextMapSetter);
        let ended = false;
        return {
          headers,
          end: (result) => {
            if (ended) return;
            ended = true;
            endAttempt(span, result);
          },
        };
      } catch {
        return { end: () => undefined };
      }
    },
  };

  const operationOf = (request: Request): OperationTrace | undefined => operations.get(request);
  return {
    plugin,
    observer,
    traceOf: (request) => operationOf(request)?.context,
    traceIdOf: (request) => {
      const context = operationOf(request)?.span.spanContext();
      return context && trace.isSpanContextValid(context) ? context.traceId : undefined;
    },
  };
}

const shutdownTimeoutMs = 5000;

/**
 * Starts exporting traces over OTLP as the standard `OTEL_*` variables say (see
 * {@link tracingSettings}), or resolves with undefined, having started nothing, when they ask for no
 * traces. The OpenTelemetry SDK reads the rest of its configuration (endpoint, headers, sampler,
 * resource attributes, batching) from `process.env` itself: pass `process.env` as `env`.
 */
export async function startTracing(env: Env, logger: Logger): Promise<Tracing | undefined> {
  const settings = tracingSettings(env);
  if (!settings.on) {
    if (settings.warning !== undefined) logger.warn(settings.warning);
    return undefined;
  }
  const [{ NodeTracerProvider, BatchSpanProcessor }, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  // The SDK's own complaints (an export that failed, a variable it cannot read) go to the log, as
  // their message only.
  const otel = logger.child({ component: 'opentelemetry' });
  const report = (message: string): void => otel.warn(message);
  diag.setLogger(
    { error: report, warn: report, info: () => undefined, debug: () => undefined, verbose: () => undefined },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const exporter = await createExporter(settings.protocol);
  // Later resources win: OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME over the gateway's defaults.
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        'service.name': defaultServiceName,
        'service.version': packageVersion(),
      }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  const hooks = createTracingHooks(provider.getTracer(defaultServiceName, packageVersion()));
  logger.info(
    {
      traces: {
        protocol: settings.protocol,
        endpoint:
          shownEndpoint(settings.endpoint) ??
          (settings.endpoint === undefined ? 'the default for the protocol' : 'set (not shown)'),
        serviceName: resource.attributes['service.name'],
      },
    },
    'Traces are exported over OTLP',
  );
  let stopped: Promise<void> | undefined;
  return {
    ...hooks,
    shutdown: () => {
      stopped ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), shutdownTimeoutMs);
          timer.unref();
        });
        const done = await Promise.race([
          provider.shutdown().then(
            () => 'done' as const,
            (error: unknown) => {
              otel.warn(
                { cause: error instanceof Error ? error.message : String(error) },
                'Traces could not be flushed',
              );
              return 'done' as const;
            },
          ),
          late,
        ]);
        clearTimeout(timer);
        if (done === 'late')
          otel.warn(`Traces were not all exported within ${shutdownTimeoutMs} ms of stopping`);
        diag.disable();
      })();
      return stopped;
    },
  };
}
