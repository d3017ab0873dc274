import { describe, expect, it } from 'vitest';
import {
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
  useUpstreamGateway,
} from './helpers.js';

const token = 'Bearer tok-oplog-5d2b';
const headers = { authorization: token };

/** The `operation` lines a gateway logged, parsed. */
const operationLines = (logs: readonly string[]): Record<string, unknown>[] =>
  logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['msg'] === 'operation');

/** The fields of a line that the test cannot know in advance, checked and then left out. */
const fixed = (line: Record<string, unknown>): Record<string, unknown> => {
  const { time, pid, hostname, durationMs, ...rest } = line;
  expect(typeof time).toBe('number');
  expect(typeof pid).toBe('number');
  expect(typeof hostname).toBe('string');
  expect(typeof durationMs).toBe('number');
  expect(durationMs).toBeGreaterThanOrEqual(0);
  return rest;
};

describe('one log line per operation', () => {
  const context = useUpstreamGateway((request, response) => {
    const url = new URL(request.url ?? '', 'http://upstream');
    if (url.searchParams.get('page') === '9') {
      sendJson(response, 404, { message: 'Not found', statusCode: 404 });
      return;
    }
    sendJson(response, 200, drataPage([drataItem()], Number(url.searchParams.get('page') ?? 1)));
  });

  it('says who asked, what ran, how long it took, how many calls to Drata it made, at info', async () => {
    const { gateway } = context;
    gateway.logs.length = 0;
    const answer = await graphql(
      gateway.url,
      'query TwoPages($second: DrataPageInput) { a: connections { total } b: connections(page: $second) { total } c: connections { page } }',
      {
        headers: { ...headers, 'x-request-id': 'req-oplog-1' },
        variables: { second: { page: 2, limit: 17 } },
      },
    );
    expect(answer.status).toBe(200);
    const lines = operationLines(gateway.logs);
    expect(lines.map(fixed)).toEqual([
      {
        level: 30,
        name: 'drata-graphql-gateway',
        msg: 'operation',
        requestId: 'req-oplog-1',
        operationName: 'TwoPages',
        operationType: 'query',
        status: 200,
        upstreamCalls: 2,
        errors: [],
      },
    ]);
    // Those are all its fields: no variable value, header or token.
    expect(JSON.stringify(lines)).not.toContain('tok-oplog');
  });

  it('lists the codes of the errors it answered with, each once', async () => {
    const { gateway } = context;
    gateway.logs.length = 0;
    const answer = await graphql(
      gateway.url,
      '{ a: connections(page: { page: 9 }) { total } b: connections(page: { page: 9, limit: 5 }) { total } }',
      { headers },
    );
    expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual([
      'UPSTREAM_ERROR',
      'UPSTREAM_ERROR',
    ]);
    const [line, ...more] = operationLines(gateway.logs).map(fixed);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      requestId: answer.headers.get('x-request-id'),
      operationName: null,
      operationType: 'query',
      status: 200,
      upstreamCalls: 2,
      errors: ['UPSTREAM_ERROR'],
    });
  });

  it('logs requests refused before they run, with the request id the caller was given', async () => {
    const { gateway } = context;
    gateway.logs.length = 0;
    const parse = await graphql(gateway.url, '{ connections {', { headers });
    const missing = await graphql(gateway.url, '{ connections { total } }');
    const invalid = await graphql(gateway.url, 'query Wrong { connections { nope } }', { headers });
    const requestIds = [parse, missing, invalid].map((answer) => answer.headers.get('x-request-id'));
    expect(requestIds.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(operationLines(gateway.logs).map(fixed)).toEqual([
      {
        level: 30,
        name: 'drata-graphql-gateway',
        msg: 'operation',
        requestId: requestIds[0],
        operationName: null,
        operationType: null,
        status: parse.status,
        upstreamCalls: 0,
        errors: ['GRAPHQL_PARSE_FAILED'],
      },
      {
        level: 30,
        name: 'drata-graphql-gateway',
        msg: 'operation',
        requestId: requestIds[1],
        operationName: null,
        operationType: 'query',
        status: missing.status,
        upstreamCalls: 0,
        errors: ['UNAUTHENTICATED'],
      },
      {
        level: 30,
        name: 'drata-graphql-gateway',
        msg: 'operation',
        requestId: requestIds[2],
        operationName: 'Wrong',
        operationType: 'query',
        status: invalid.status,
        upstreamCalls: 0,
        errors: ['GRAPHQL_VALIDATION_FAILED'],
      },
    ]);
  });

  it('logs no line for what is not an operation: health checks, other paths, GraphiQL, a CORS preflight', async () => {
    const { gateway } = context;
    gateway.logs.length = 0;
    const base = gateway.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    await page.text();
    await fetch(gateway.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    }).then((response) => response.text());
    await graphql(gateway.url, '{ connections { total } }', { headers });
    expect(operationLines(gateway.logs).map((line) => line['upstreamCalls'])).toEqual([1]);
  });
});

describe('the trace id', () => {
  it('is in the line when tracing gives one', async () => {
    await using upstream = await startUpstream((_request, response) =>
      sendJson(response, 200, drataPage([drataItem()])),
    );
    await using gateway = await startGateway({
      baseUrl: upstream.baseUrl,
      telemetry: { traceIdOf: (request) => `trace-of-${request.headers.get('x-request-id')}` },
    });
    await graphql(gateway.url, 'query One { connections { total } }', {
      headers: { ...headers, 'x-request-id': 'req-oplog-2' },
    });
    expect(operationLines(gateway.logs).map(fixed)).toEqual([
      {
        level: 30,
        name: 'drata-graphql-gateway',
        msg: 'operation',
        requestId: 'req-oplog-2',
        operationName: 'One',
        operationType: 'query',
        status: 200,
        upstreamCalls: 1,
        errors: [],
        traceId: 'trace-of-req-oplog-2',
      },
    ]);
  });
});
