import { createServer, type IncomingHttpHeaders } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { createGateway } from '../src/server.js';
import { createTracingHooks, startTracing, tracingSettings } from '../src/tracing.js';
import {
  close,
  drataItem,
  drataPage,
  graphql,
  listen,
  sendJson,
  startUpstream,
  until,
  type TestUpstream,
} from './helpers.js';
import { recordCredential } from './leak-check.js';
import { logLines, ready, run, type Started } from './process.js';

/** A span as an OTLP receiver got it, in one shape whether it came as JSON or as protobuf. */
interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP's span kind: 2 for SERVER, 3 for CLIENT. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  /** The attributes of the resource that exported it. */
  readonly resource: Readonly<Record<string, unknown>>;
}

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

/** OTLP's `AnyValue`, in JSON or as protobufjs gives it. */
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface OtlpSpan {
  traceId: string | Uint8Array;
  spanId: string | Uint8Array;
  parentSpanId?: string | Uint8Array;
  name: string;
  kind?: number;
  attributes?: KeyValue[];
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

const plain = (value: AnyValue | undefined): unknown => {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
};

const attributesOf = (list: KeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));

const hex = (id: string | Uint8Array | undefined): string =>
  id === undefined ? '' : typeof id === 'string' ? id : Buffer.from(id).toString('hex');

const spansOf = (request: OtlpRequest): ExportedSpan[] =>
  (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name,
        kind: span.kind ?? 0,
        attributes: attributesOf(span.attributes),
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
        resource,
      })),
    );
  });

/** The part of OTLP's trace protocol the tests read (field numbers as in opentelemetry-proto). */
const otlpProto = protobuf
  .parse(
    `
  syntax = "proto3";
  package otlp;
  message ArrayValue { repeated AnyValue values = 1; }
  message AnyValue {
    oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; }
  }
  message KeyValue { string key = 1; AnyValue value = 2; }
  message Resource { repeated KeyValue attributes = 1; }
  message Status { string message = 2; int32 code = 3; }
  message Span {
    bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
    repeated KeyValue attributes = 9; Status status = 15;
  }
  message ScopeSpans { repeated Span spans = 2; }
  message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
  message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`,
  )
  .root.lookupType('otlp.ExportTraceServiceRequest');

/** A test OTLP/HTTP receiver on loopback: it keeps every span posted to `path`. */
interface Receiver {
  /** The base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  readonly spans: ExportedSpan[];
  /** The headers of every export received. */
  readonly exports: IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function startReceiver(format: 'json' | 'protobuf', path = '/v1/traces'): Promise<Receiver> {
  const spans: ExportedSpan[] = [];
  const exports: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== path) {
        response.writeHead(404).end();
        return;
      }
      exports.push(request.headers);
      const body = Buffer.concat(chunks);
      if (format === 'json') {
        spans.push(...spansOf(JSON.parse(body.toString('utf8')) as OtlpRequest));
        sendJson(response, 200, {});
      } else {
        const decoded = otlpProto.toObject(otlpProto.decode(body), { longs: Number }) as OtlpRequest;
        spans.push(...spansOf(decoded));
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, spans, exports, close: () => close(server) };
}

/** A test OTLP/gRPC receiver on loopback: it keeps every span exported to it. */
async function startGrpcReceiver(): Promise<Receiver> {
  const spans: ExportedSpan[] = [];
  const exports: IncomingHttpHeaders[] = [];
  const server = new grpc.Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: (message: OtlpRequest) => Buffer.from(otlpProto.encode(message).finish()),
        requestDeserialize: (bytes: Buffer) =>
          otlpProto.toObject(otlpProto.decode(bytes), { longs: Number }) as OtlpRequest,
        // An empty ExportTraceServiceResponse: full success.
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: () => ({}),
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<OtlpRequest, object>, callback: grpc.sendUnaryData<object>) => {
        exports.push(call.metadata.getMap() as IncomingHttpHeaders);
        spans.push(...spansOf(call.request));
        callback(null, {});
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    exports,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** Resolves with the GraphQL URL once the gateway says it is ready. */
const readyUrl = async (started: Started): Promise<string> => (await ready(started)).graphqlUrl;

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null) return;
  started.child.kill('SIGTERM');
  expect(await started.exited).toBe(0);
}

/** A `traceparent` of a caller: version 00, sampled. */
const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';
const callerTraceparent = `00-${callerTraceId}-${callerSpanId}-01`;
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

const token = 'tok-trace-9c1e';
const otlpKey = 'otlpkey-6a2e';
const probe = 'probe-val-3d8f';

/** Every attribute value of a span and of its resource, as text. */
const attributeTexts = (span: ExportedSpan): string[] =>
  [...Object.values(span.attributes), ...Object.values(span.resource)].map((value) => JSON.stringify(value));

/** A test Drata that fails each URL listed in `failOnce` once with 503, and answers a page otherwise. */
function flakyDrata(failOnce: Set<string>): Parameters<typeof startUpstream>[0] {
  return (request, response) => {
    if (failOnce.delete(request.url ?? '')) {
      sendJson(response, 503, { message: 'unavailable' });
      return;
    }
    sendJson(response, 200, drataPage([drataItem()]));
  };
}

describe('traces over OTLP/HTTP with JSON', () => {
  const failOnce = new Set<string>();
  let upstream: TestUpstream;
  let receiver: Receiver;
  let gateway: Started | undefined;
  let url: string;

  beforeAll(async () => {
    // The exporter's own header is a secret of the collector's: it may show nowhere but in exports.
    recordCredential(otlpKey);
    upstream = await startUpstream(flakyDrata(failOnce));
    receiver = await startReceiver('json');
    const started = run({
      DRATA_API_URL: upstream.baseUrl.href,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: `x-otlp-key=${otlpKey}`,
      OTEL_BSP_SCHEDULE_DELAY: '20',
    });
    gateway = started;
    url = await readyUrl(started);
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });
  afterAll(async () => {
    await stop(gateway);
    await receiver.close();
    await upstream.close();
  });

  /** The exported spans of one trace, once `count` of them are in. */
  async function trace(traceId: string, count: number): Promise<ExportedSpan[]> {
    const of = (): ExportedSpan[] => receiver.spans.filter((span) => span.traceId === traceId);
    await until(() => of().length >= count, `${count} spans of trace ${traceId} are exported`, 10_000);
    return of();
  }

  it('makes a SERVER span per operation in the caller trace, a CLIENT span under it per attempt, and sends Drata the attempt span as parent', async () => {
    failOnce.add('/public/connections?page=1&limit=3');
    const answer = await graphql(url, 'query ListConnections { connections(page: { limit: 3 }) { total } }', {
      headers: { authorization: `Bearer ${token}`, traceparent: callerTraceparent, 'x-probe': probe },
    });
    expect(answer.body).toEqual({ data: { connections: { total: 1 } } });

    const spans = await trace(callerTraceId, 3);
    const server = spans.find((span) => span.kind === SERVER)!;
    expect(server).toMatchObject({
      name: 'query ListConnections',
      parentSpanId: callerSpanId,
      status: { code: 0 },
      attributes: {
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'ListConnections',
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'gateway.request_id': answer.headers.get('x-request-id'),
      },
      resource: { 'service.name': 'drata-graphql-gateway', 'telemetry.sdk.language': 'nodejs' },
    });

    const clients = spans.filter((span) => span.kind === CLIENT);
    expect(clients).toHaveLength(2);
    const [first, second] = [...clients].sort(
      (a, b) =>
        Number(a.attributes['http.request.resend_count'] ?? 0) -
        Number(b.attributes['http.request.resend_count'] ?? 0),
    ) as [ExportedSpan, ExportedSpan];
    const drataUrl = `${upstream.baseUrl.href}/connections?page=1&limit=3`;
    for (const client of clients) {
      expect(client).toMatchObject({
        name: 'GET /public/connections',
        parentSpanId: server.spanId,
        attributes: {
          'http.request.method': 'GET',
          'url.full': drataUrl,
          'server.address': '127.0.0.1',
          'server.port': Number(upstream.baseUrl.port),
          'gateway.request_id': answer.headers.get('x-request-id'),
        },
      });
    }
    // The first attempt was not a resend, so it has no resend count (per the HTTP conventions).
    expect(first.attributes).not.toHaveProperty('http.request.resend_count');
    expect(first).toMatchObject({
      status: { code: ERROR },
      attributes: { 'http.response.status_code': 503, 'error.type': '503' },
    });
    expect(second).toMatchObject({
      status: { code: 0 },
      attributes: { 'http.request.resend_count': 1, 'http.response.status_code': 200 },
    });
    expect(second.attributes).not.toHaveProperty('error.type');

    // Drata got each attempt's own span as the parent, in the caller's trace.
    const sent = upstream.requests.map((request) =>
      traceparentPattern.exec(request.headers['traceparent'] ?? ''),
    );
    expect(sent.map((match) => match?.[1])).toEqual([callerTraceId, callerTraceId]);
    expect(sent.map((match) => match?.[2])).toEqual([first.spanId, second.spanId]);

    // No credential and no header value the caller sent is in any attribute.
    const headerValues = [token, `Bearer ${token}`, callerTraceparent, probe, otlpKey];
    for (const span of spans) {
      for (const text of attributeTexts(span)) {
        for (const secret of headerValues) expect(text).not.toContain(secret);
      }
    }
    // The operation's log line names its trace.
    expect(
      logLines(gateway!)
        .filter((line) => line['msg'] === 'operation')
        .at(-1),
    ).toMatchObject({
      operationName: 'ListConnections',
      traceId: callerTraceId,
    });
    // The exporter sends the configured OTLP header to the collector.
    expect(receiver.exports.at(-1)?.['x-otlp-key']).toBe(otlpKey);
  });

  it('starts a trace of its own without a traceparent, and Drata continues it', async () => {
    const before = new Set(receiver.spans.map((span) => span.spanId));
    const answer = await graphql(url, 'query Fresh { connections(page: { limit: 4 }) { total } }', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.body).toEqual({ data: { connections: { total: 1 } } });
    const sent = traceparentPattern.exec(upstream.requests[0]?.headers['traceparent'] ?? '');
    expect(sent).not.toBeNull();
    const [server, client] = await trace(sent![1]!, 2).then((spans) => [
      spans.find((span) => span.kind === SERVER)!,
      spans.find((span) => span.kind === CLIENT)!,
    ]);
    expect(before.has(server!.spanId)).toBe(false);
    expect(server).toMatchObject({ name: 'query Fresh', parentSpanId: '' });
    expect(client).toMatchObject({ parentSpanId: server!.spanId, spanId: sent![2] });
  });

  it('names an anonymous operation by its type and marks an operation with errors as failed', async () => {
    const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    const answer = await graphql(url, '{ connections { total } }', {
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(answer.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const [server, ...others] = await trace(traceId, 1);
    expect(others).toEqual([]);
    expect(upstream.requests).toEqual([]);
    expect(server).toMatchObject({
      name: 'query',
      kind: SERVER,
      parentSpanId: callerSpanId,
      status: { code: ERROR, message: 'UNAUTHENTICATED' },
      attributes: {
        'graphql.operation.type': 'query',
        'gateway.error_codes': ['UNAUTHENTICATED'],
        'error.type': 'UNAUTHENTICATED',
        'http.response.status_code': answer.status,
      },
    });
    expect(server!.attributes).not.toHaveProperty('graphql.operation.name');
  });

  it('marks a document that does not validate, with its code', async () => {
    const traceId = '0e0e4736a3ce929d4bf92f3577b34da6';
    const answer = await graphql(url, 'query Broken { connections { nope } }', {
      headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    const code = answer.body.errors?.[0]?.extensions.code;
    expect(code).toBeDefined();
    const [server] = await trace(traceId, 1);
    expect(server).toMatchObject({
      name: 'query Broken',
      status: { code: ERROR },
      attributes: { 'gateway.error_codes': [code], 'http.response.status_code': answer.status },
    });
  });
});

describe('traces over OTLP/HTTP with protobuf', () => {
  it('exports to the traces endpoint with the configured service name and resource, flushing as the process stops', async () => {
    await using upstream = await startUpstream(flakyDrata(new Set()));
    const receiver = await startReceiver('protobuf', '/custom/traces');
    let gateway: Started | undefined;
    try {
      const started = run({
        DRATA_API_URL: upstream.baseUrl.href,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
        OTEL_SERVICE_NAME: 'gateway-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=trace-test,service.name=overridden',
        // Nothing is sent on a schedule within the test: the spans leave when the process stops.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      gateway = started;
      const url = await readyUrl(started);
      const answer = await graphql(url, 'query Proto { connections { total } }', {
        headers: { authorization: `Bearer ${token}`, traceparent: callerTraceparent },
      });
      expect(answer.body).toEqual({ data: { connections: { total: 1 } } });
      expect(receiver.spans).toEqual([]);
      await stop(gateway);
      expect(receiver.exports[0]?.['content-type']).toBe('application/x-protobuf');
      const server = receiver.spans.find((span) => span.kind === SERVER);
      const client = receiver.spans.find((span) => span.kind === CLIENT);
      expect(server).toMatchObject({
        name: 'query Proto',
        traceId: callerTraceId,
        parentSpanId: callerSpanId,
        resource: { 'service.name': 'gateway-under-test', 'deployment.environment.name': 'trace-test' },
      });
      expect(client).toMatchObject({
        parentSpanId: server!.spanId,
        attributes: { 'http.response.status_code': 200 },
      });
      const sent = traceparentPattern.exec(upstream.requests[0]?.headers['traceparent'] ?? '');
      expect(sent?.slice(1)).toEqual([callerTraceId, client!.spanId]);
    } finally {
      await stop(gateway);
      await receiver.close();
    }
  });
});

describe('traces over OTLP/gRPC', () => {
  it('exports to a gRPC collector, with the configured headers as metadata', async () => {
    recordCredential(otlpKey);
    await using upstream = await startUpstream(flakyDrata(new Set()));
    const receiver = await startGrpcReceiver();
    let gateway: Started | undefined;
    try {
      const started = run({
        DRATA_API_URL: upstream.baseUrl.href,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: `x-otlp-key=${otlpKey}`,
        OTEL_BSP_SCHEDULE_DELAY: '20',
      });
      gateway = started;
      const url = await readyUrl(started);
      const answer = await graphql(url, 'query OverGrpc { connections { total } }', {
        headers: { authorization: `Bearer ${token}`, traceparent: callerTraceparent },
      });
      expect(answer.body).toEqual({ data: { connections: { total: 1 } } });
      await until(() => receiver.spans.length >= 2, 'the spans reach the gRPC collector', 10_000);
      const server = receiver.spans.find((span) => span.kind === SERVER);
      expect(server).toMatchObject({
        name: 'query OverGrpc',
        traceId: callerTraceId,
        parentSpanId: callerSpanId,
      });
      expect(receiver.spans.find((span) => span.kind === CLIENT)).toMatchObject({
        parentSpanId: server!.spanId,
      });
      expect(receiver.exports[0]?.['x-otlp-key']).toBe(otlpKey);
    } finally {
      await stop(gateway);
      await receiver.close();
    }
  });
});

describe('the tracing hooks in a gateway', () => {
  it("give each GraphQL request's trace id (a trace of its own when no traceparent came), and none to other requests", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const hooks = createTracingHooks(provider.getTracer('test'));
    const seen: (string | undefined)[] = [];
    await using upstream = await startUpstream(flakyDrata(new Set()));
    const gateway = createGateway({
      baseUrl: upstream.baseUrl,
      logger: createLogger('silent'),
      graphiql: false,
      plugins: [hooks.plugin, { onResponse: ({ request }) => void seen.push(hooks.traceIdOf(request)) }],
      observers: [hooks.observer],
      traceOf: hooks.traceOf,
    });
    try {
      const send = async (headers: Record<string, string>): Promise<Response> =>
        await gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
          body: JSON.stringify({ query: '{ connections { total } }' }),
        });
      recordCredential(`Bearer ${token}`);
      expect((await send({ traceparent: callerTraceparent })).status).toBe(200);
      expect((await send({})).status).toBe(200);
      expect((await gateway.yoga.fetch('http://gateway.test/healthz')).status).toBe(200);
      const servers = exporter.getFinishedSpans().filter((span) => span.name === 'query');
      expect(servers).toHaveLength(2);
      expect(seen[0]).toBe(callerTraceId);
      expect(seen[1]).toBe(servers[1]!.spanContext().traceId);
      expect(seen[1]).not.toBe(callerTraceId);
      // The health check is no GraphQL request: it has no span and no trace id.
      expect(seen[2]).toBeUndefined();
      expect(exporter.getFinishedSpans()).toHaveLength(4);
    } finally {
      await gateway.close();
      await provider.shutdown();
    }
  });
});

describe('startTracing', () => {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => lines.push(line) });
  beforeEach(() => {
    lines.length = 0;
  });

  it.each([
    ['no OTEL variables', {}],
    [
      'OTEL_SDK_DISABLED=true',
      { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' },
    ],
    [
      'OTEL_TRACES_EXPORTER=none',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' },
    ],
    ['only a service name', { OTEL_SERVICE_NAME: 'gateway' }],
  ])('starts nothing with %s', async (_name, env) => {
    expect(await startTracing(env, logger)).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it.each([
    ['an exporter it does not have', { OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER="zipkin"'],
    [
      'a protocol it does not have',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' },
      'The OTLP protocol "http/xml" is not one of http/protobuf, http/json, grpc',
    ],
  ])('starts nothing, and says so, with %s', async (_name, env, warning) => {
    expect(await startTracing(env, logger)).toBeUndefined();
    const messages = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(messages).toEqual([
      { ...messages[0], level: 40, msg: expect.stringContaining(warning) as string },
    ]);
  });

  it('reads the endpoint and the protocol, the traces-specific variables first', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      on: true,
      protocol: 'http/protobuf',
      endpoint: 'http://collector:4318',
    });
    expect(
      tracingSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      }),
    ).toEqual({ on: true, protocol: 'grpc', endpoint: 'http://traces:4318/v1/traces' });
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({
      on: true,
      protocol: 'http/protobuf',
      endpoint: undefined,
    });
  });
});
