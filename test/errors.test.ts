import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent, type Dispatcher } from 'undici';
import {
  close,
  drataItem,
  drataPage,
  graphql,
  listen,
  sendJson,
  startGateway,
  startUpstream,
  type RunningGateway,
  type TestUpstream,
  useSandboxGateway,
} from './helpers.js';

const secret = 'tok_9f8e7d6c5b4a';
const auth = { authorization: `Bearer ${secret}`, 'x-request-id': 'req-1' };
const query = '{ connections { total } }';

type Mode = (request: IncomingMessage, response: ServerResponse) => void;
let mode: Mode;
let upstream: TestUpstream;
let gateway: RunningGateway;
/** A second host: a redirect points there, and it must never be called. */
let elsewhere: TestUpstream;

beforeAll(async () => {
  upstream = await startUpstream((request, response) => mode(request, response));
  elsewhere = await startUpstream((_request, response) => sendJson(response, 200, drataPage([])));
  // No retries and no breaker here: this file proves the error table one attempt at a time.
  gateway = await startGateway({
    baseUrl: upstream.baseUrl,
    resilience: {
      timeoutMs: 300,
      attemptTimeoutMs: 300,
      maxResponseBytes: 64 * 1024,
      maxAttempts: 1,
      breakerThreshold: 1000,
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
  await elsewhere.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

/** The one error of `connections`, with the field nulled and HTTP 200. */
async function connectionsError(headers: Record<string, string> = auth, url = gateway.url) {
  const answer = await graphql(url, query, { headers });
  expect(answer.status).toBe(200);
  expect(answer.body.data).toEqual({ connections: null });
  expect(answer.body.errors).toHaveLength(1);
  const text = JSON.stringify(answer.body);
  expect(text).not.toContain(secret);
  expect(text).not.toContain('127.0.0.1');
  expect(text).not.toMatch(/stack|\bat .*\.ts:\d+/);
  return answer.body.errors?.[0] as unknown;
}

const located = (message: string, extensions: Record<string, unknown>) => ({
  message,
  locations: [{ line: 1, column: 3 }],
  path: ['connections'],
  extensions,
});

const drataError = (status: number, message: string, headers: Record<string, string> = {}): Mode => {
  return (_request, response) =>
    sendJson(response, status, { statusCode: status, message, code: status * 10 }, headers);
};

describe('the Authorization header', () => {
  it.each([
    ['missing', {}, 'No Authorization header'],
    [
      'not Bearer',
      { authorization: `Token ${secret}` },
      'The Authorization header does not use the Bearer scheme',
    ],
    [
      'empty token',
      { authorization: 'Bearer   ' },
      'The Authorization header has an empty or malformed token',
    ],
    [
      'control character',
      { authorization: `Bearer ${secret}\tx` },
      'The Authorization header has an empty or malformed token',
    ],
    [
      'over 4 KiB',
      { authorization: `Bearer ${secret}${'x'.repeat(4100)}` },
      'The Authorization header is longer than 4096 bytes',
    ],
  ])('%s: UNAUTHENTICATED and no upstream call', async (_name, headers: Record<string, string>, reason) => {
    mode = drataError(500, 'must not be called');
    const error = await connectionsError({ ...headers, 'x-request-id': 'req-1' });
    expect(error).toEqual(
      located(`${reason}: send your Drata API key as "Authorization: Bearer <key>".`, {
        code: 'UNAUTHENTICATED',
        requestId: 'req-1',
      }),
    );
    expect(upstream.requests).toEqual([]);
  });

  it('a raw control character never reaches Drata and never crashes the gateway', async () => {
    mode = drataError(500, 'must not be called');
    const { port } = new URL(gateway.url);
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        const body = JSON.stringify({ query });
        socket.write(
          `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ab\u0001cd\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      });
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(upstream.requests).toEqual([]);
    expect((await graphql(gateway.url, '{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe("Drata's statuses", () => {
  it.each([
    [400, 'BAD_USER_INPUT', 'Drata rejected the request (HTTP 400): limit must not be greater than 50'],
    [
      401,
      'UNAUTHENTICATED',
      'Drata did not accept the API key (HTTP 401): limit must not be greater than 50',
    ],
    [
      402,
      'PAYMENT_REQUIRED',
      "Drata's plan for this account does not include this feature (HTTP 402): limit must not be greater than 50",
    ],
    [
      403,
      'FORBIDDEN',
      'The API key is not allowed to list connections (HTTP 403): limit must not be greater than 50',
    ],
    [
      412,
      'TERMS_NOT_ACCEPTED',
      "The account must accept Drata's terms and conditions to use the API (HTTP 412): limit must not be greater than 50",
    ],
    [404, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 404): limit must not be greater than 50'],
    [418, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 418): limit must not be greater than 50'],
    [500, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 500).'],
    [502, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 502).'],
    [503, 'UPSTREAM_ERROR', 'Drata answered with an error (HTTP 503).'],
  ])('%i is %s', async (status, code, message) => {
    mode = drataError(status, 'limit must not be greater than 50');
    expect(await connectionsError()).toEqual(
      located(message, { code, upstreamStatus: status, upstreamCode: status * 10, requestId: 'req-1' }),
    );
    expect(upstream.requests).toHaveLength(1);
  });

  it.each([
    ['seconds', '17', 17],
    ['an HTTP date', () => new Date(Date.now() + 42_000).toUTCString(), 42],
    // Without a readable Retry-After the gateway waits at least a second, and says so.
    ['garbage', 'soon', 1],
    ['nothing', undefined, 1],
  ] as const)('429 with Retry-After as %s is RATE_LIMITED', async (_name, header, seconds) => {
    mode = (_request, response) => {
      const value = typeof header === 'function' ? header() : header;
      drataError(
        429,
        'Too Many Requests',
        value === undefined ? {} : { 'retry-after': value },
      )(_request, response);
    };
    const error = (await connectionsError()) as { extensions: { retryAfter?: number } };
    const retryAfter = error.extensions.retryAfter;
    // An HTTP date has one-second resolution: allow the second that passes while the test runs.
    const extensions = { code: 'RATE_LIMITED', upstreamStatus: 429, upstreamCode: 4290, requestId: 'req-1' };
    expect(error).toEqual(
      located("Drata's rate limit was reached (HTTP 429): Too Many Requests", {
        ...extensions,
        retryAfter: seconds === 42 ? retryAfter : seconds,
      }),
    );
    if (seconds === 42) expect(retryAfter).toBeOneOf([41, 42, 43]);
  });

  it('a 302 is UPSTREAM_ERROR and is never followed', async () => {
    mode = (_request, response) => {
      response.writeHead(302, { location: `${elsewhere.baseUrl.href}/connections` });
      response.end();
    };
    expect(await connectionsError()).toEqual(
      located('Drata answered with an error (HTTP 302).', {
        code: 'UPSTREAM_ERROR',
        upstreamStatus: 302,
        requestId: 'req-1',
      }),
    );
    expect(elsewhere.requests).toEqual([]);
  });

  it('an error body that is not JSON still gives the typed error, without the body', async () => {
    mode = (_request, response) => {
      response.writeHead(403, { 'content-type': 'text/html' });
      response.end('<html><body>Forbidden by a proxy</body></html>');
    };
    expect(await connectionsError()).toEqual(
      located('The API key is not allowed to list connections (HTTP 403).', {
        code: 'FORBIDDEN',
        upstreamStatus: 403,
        requestId: 'req-1',
      }),
    );
  });

  it("Drata's message never carries the caller's token back", async () => {
    mode = drataError(401, `Key ${secret} is revoked`);
    expect(await connectionsError()).toEqual(
      located('Drata did not accept the API key (HTTP 401): Key [redacted] is revoked', {
        code: 'UNAUTHENTICATED',
        upstreamStatus: 401,
        upstreamCode: 4010,
        requestId: 'req-1',
      }),
    );
  });
});

describe('bad answers', () => {
  const badResponse = (reason: string) =>
    located(`Drata's answer could not be read: ${reason}.`, {
      code: 'UPSTREAM_BAD_RESPONSE',
      upstreamStatus: 200,
      requestId: 'req-1',
    });

  it.each([
    ['HTML', 'text/html', '<!doctype html><title>Login</title>', 'the answer is not JSON'],
    ['truncated JSON', 'application/json', '{"data":[{"id":1', 'the answer is not JSON'],
    ['an empty body', 'application/json', '', 'the answer is not JSON'],
    [
      'JSON without data',
      'application/json',
      '{"page":1,"limit":20,"total":0}',
      'the answer does not have the documented shape',
    ],
    ['an array', 'application/json', '[]', 'the answer does not have the documented shape'],
    [
      'a boolean id',
      'application/json',
      JSON.stringify(drataPage([drataItem({ id: true })])),
      'the answer does not have the documented shape',
    ],
    [
      'a date that is not a date',
      'application/json',
      JSON.stringify(drataPage([drataItem({ connectedAt: 'yesterday' })])),
      'the answer does not have the documented shape',
    ],
    [
      'a missing required field',
      'application/json',
      JSON.stringify(drataPage([drataItem({ connected: undefined })])),
      'the answer does not have the documented shape',
    ],
    [
      'a page size of 0',
      'application/json',
      JSON.stringify(drataPage([], 1, 0, 0)),
      'the answer does not have the documented shape',
    ],
  ])('%s is UPSTREAM_BAD_RESPONSE', async (_name, type, body, reason) => {
    mode = (_request, response) => {
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    };
    expect(await connectionsError()).toEqual(badResponse(reason));
  });

  it('a body over the size cap is UPSTREAM_BAD_RESPONSE, declared or streamed', async () => {
    const big = JSON.stringify(drataPage(Array.from({ length: 400 }, (_, id) => drataItem({ id }))));
    expect(big.length).toBeGreaterThan(64 * 1024);
    mode = (_request, response) => sendJson(response, 200, JSON.parse(big));
    expect(await connectionsError()).toEqual(badResponse('the answer is too large'));
    mode = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      response.write(big.slice(0, 40_000));
      response.end(big.slice(40_000));
    };
    expect(await connectionsError()).toEqual(badResponse('the answer is too large'));
  });
});

describe('transport failures', () => {
  it('no headers within the deadline is UPSTREAM_TIMEOUT', async () => {
    mode = () => undefined;
    const started = Date.now();
    expect(await connectionsError()).toEqual(
      located('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: 'req-1' }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a body that stalls is UPSTREAM_TIMEOUT', async () => {
    mode = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":[');
    };
    expect(await connectionsError()).toEqual(
      located('Drata did not answer in time.', { code: 'UPSTREAM_TIMEOUT', requestId: 'req-1' }),
    );
  });

  it('a reset before the answer is UPSTREAM_UNAVAILABLE', async () => {
    mode = (request) => request.socket.destroy();
    expect(await connectionsError()).toEqual(
      located('Drata could not be reached.', { code: 'UPSTREAM_UNAVAILABLE', requestId: 'req-1' }),
    );
  });

  it('a reset in the middle of the body is UPSTREAM_UNAVAILABLE', async () => {
    mode = (request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      response.write('{"data":[', () => request.socket.destroy());
    };
    expect(await connectionsError()).toEqual(
      located('Drata could not be reached.', { code: 'UPSTREAM_UNAVAILABLE', requestId: 'req-1' }),
    );
  });

  it('a refused connection is UPSTREAM_UNAVAILABLE', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    await using refused = await startGateway({ baseUrl: new URL(`http://127.0.0.1:${port}/public`) });
    expect(await connectionsError(auth, refused.url)).toEqual(
      located('Drata could not be reached.', { code: 'UPSTREAM_UNAVAILABLE', requestId: 'req-1' }),
    );
  });

  it('a name that does not resolve is UPSTREAM_UNAVAILABLE', async () => {
    const dispatcher = new Agent({
      connect: {
        lookup: (hostname, _options, callback) => {
          callback(
            Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
            '',
            4,
          );
        },
      },
    });
    await using unresolved = await startGateway({
      baseUrl: new URL('http://drata.invalid/public'),
      dispatcher,
    });
    expect(await connectionsError(auth, unresolved.url)).toEqual(
      located('Drata could not be reached.', { code: 'UPSTREAM_UNAVAILABLE', requestId: 'req-1' }),
    );
    await dispatcher.close();
  });

  it('anything unexpected is masked as INTERNAL_SERVER_ERROR', async () => {
    const dispatcher = {
      dispatch: () => {
        throw new Error('internal detail');
      },
      close: () => Promise.resolve(),
      destroy: () => Promise.resolve(),
      on: () => dispatcher,
      once: () => dispatcher,
      off: () => dispatcher,
      emit: () => false,
    } as unknown as Dispatcher;
    await using broken = await startGateway({ baseUrl: upstream.baseUrl, dispatcher });
    expect(await connectionsError(auth, broken.url)).toEqual(
      located('Unexpected error.', { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' }),
    );
    expect(broken.logs.join('\n')).toContain('internal detail');
    expect(upstream.requests).toEqual([]);
  });

  it('the gateway answers the next request normally after every fault', async () => {
    mode = (_request, response) => sendJson(response, 200, drataPage([drataItem()]));
    expect((await graphql(gateway.url, query, { headers: auth })).body).toEqual({
      data: { connections: { total: 1 } },
    });
  });
});

describe('errors keep the rest of the response', () => {
  it('a field error nulls only that field; other aliases and fields answer', async () => {
    mode = (_request, response) => sendJson(response, 200, drataPage([drataItem()]));
    const answer = await graphql(
      gateway.url,
      '{ ok: connections { total } bad: connections(page: { limit: 99 }) { total } __typename }',
      { headers: auth },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      data: { ok: { total: 1 }, bad: null, __typename: 'Query' },
      errors: [
        {
          message: 'page.limit must be from 1 to 50 (got 99).',
          locations: [{ line: 1, column: 29 }],
          path: ['bad'],
          extensions: { code: 'BAD_USER_INPUT', requestId: 'req-1' },
        },
      ],
    });
  });

  it.each([
    ['page.page', '{ connections(page: { page: 0 }) { total } }', 'page.page must be 1 or more (got 0).'],
    [
      'page.limit',
      '{ connections(page: { limit: 0 }) { total } }',
      'page.limit must be from 1 to 50 (got 0).',
    ],
    [
      'filter.providerTypes',
      '{ connections(filter: { providerTypes: [UNKNOWN] }) { total } }',
      'filter.providerTypes cannot contain UNKNOWN: name the provider types to keep.',
    ],
    [
      'filter.state',
      '{ connections(filter: { state: UNKNOWN }) { total } }',
      'filter.state cannot be UNKNOWN: name the state to keep.',
    ],
  ])('%s out of bounds is BAD_USER_INPUT naming it', async (_name, badQuery, message) => {
    const answer = await graphql(gateway.url, badQuery, { headers: auth });
    expect(answer.body).toEqual({
      data: { connections: null },
      errors: [located(message, { code: 'BAD_USER_INPUT', requestId: 'req-1' })],
    });
    expect(upstream.requests).toEqual([]);
  });

  it.each([
    [
      'a variable of the wrong type',
      { p: 'x' },
      'Variable "$p" got invalid value "x"; Int cannot represent non-integer value: "x"',
    ],
    ['a missing required variable', {}, 'Variable "$p" of required type "Int!" was not provided.'],
  ])('%s is BAD_USER_INPUT', async (_name, variables, message) => {
    const answer = await graphql(
      gateway.url,
      'query ($p: Int!) { connections(page: { page: $p }) { total } }',
      {
        headers: auth,
        variables,
      },
    );
    expect(answer.body).toEqual({
      errors: [{ message, locations: [{ line: 1, column: 8 }], extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(upstream.requests).toEqual([]);
  });

  it('a body that is not JSON is BAD_REQUEST, without echoing the parser error', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: '{"query": "{ connections',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('an operationName that names no operation is OPERATION_RESOLUTION_FAILURE', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    });
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'Could not determine what operation to execute.',
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
        },
      ],
    });
  });

  it('a Drata code that GraphQL Int cannot hold is UPSTREAM_BAD_RESPONSE, not a serialization error', async () => {
    mode = (_request, response) => sendJson(response, 200, drataPage([drataItem({ code: 2 ** 40 })]));
    expect(await connectionsError()).toEqual(
      located("Drata's answer could not be read: the answer does not have the documented shape.", {
        code: 'UPSTREAM_BAD_RESPONSE',
        upstreamStatus: 200,
        requestId: 'req-1',
      }),
    );
  });

  it('request errors carry codes too', async () => {
    expect((await graphql(gateway.url, '{ connections { total ', { headers: auth })).body).toEqual({
      errors: [
        {
          message: 'Syntax Error: Expected Name, found <EOF>.',
          locations: [{ line: 1, column: 23 }],
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        },
      ],
    });
    expect((await graphql(gateway.url, '{ connections { nope } }', { headers: auth })).body).toEqual({
      errors: [
        {
          message: 'Cannot query field "nope" on type "DrataConnectionPage". Did you mean "nodes"?',
          locations: [{ line: 1, column: 17 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });
});

describe('the sandbox simulates every error', () => {
  const running = useSandboxGateway();

  it.each([
    [
      'sandbox-401',
      'UNAUTHENTICATED',
      401,
      'Drata did not accept the API key (HTTP 401): Invalid Authorization',
      {},
    ],
    [
      'not-a-sandbox-token',
      'UNAUTHENTICATED',
      401,
      'Drata did not accept the API key (HTTP 401): Invalid Authorization',
      {},
    ],
    [
      'sandbox-402',
      'PAYMENT_REQUIRED',
      402,
      "Drata's plan for this account does not include this feature (HTTP 402): You must upgrade your plan to use this feature",
      {},
    ],
    [
      'sandbox-403',
      'FORBIDDEN',
      403,
      'The API key is not allowed to list connections (HTTP 403): You are not allowed to perform this action',
      {},
    ],
    [
      'sandbox-412',
      'TERMS_NOT_ACCEPTED',
      412,
      "The account must accept Drata's terms and conditions to use the API (HTTP 412): You must accept the Drata terms and conditions to use the API",
      {},
    ],
    [
      'sandbox-429',
      'RATE_LIMITED',
      429,
      "Drata's rate limit was reached (HTTP 429): Too Many Requests",
      { retryAfter: 30 },
    ],
    ['sandbox-500', 'UPSTREAM_ERROR', 500, 'Drata answered with an error (HTTP 500).', {}],
  ])('%s gives %s', async (token, code, status, message, extra) => {
    const answer = await graphql(running.gateway.url, query, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-1' },
    });
    expect(answer.body).toEqual({
      data: { connections: null },
      errors: [
        located(message, {
          code,
          upstreamStatus: status,
          upstreamCode: status * 100,
          requestId: 'req-1',
          ...extra,
        }),
      ],
    });
  });
});

describe('the token stays secret', () => {
  it('no log line of any test in this file holds it', async () => {
    mode = drataError(403, `denied for ${secret}`);
    await connectionsError();
    mode = () => undefined;
    await connectionsError();
    expect(gateway.logs.length).toBeGreaterThan(0);
    expect(gateway.logs.join('\n')).not.toContain(secret);
  });
});
