import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { drataItem, drataPage, sendJson, useUpstreamGateway } from './helpers.js';

const servers = useUpstreamGateway(
  (_request, response) => sendJson(response, 200, drataPage([drataItem()])),
  {
    http: { headersTimeoutMs: 300, requestTimeoutMs: 600 },
  },
);

const limit = 256 * 1024;
const headers = { 'content-type': 'application/json', authorization: 'Bearer http-limits' };

/** A GraphQL request body of exactly `size` bytes: the query padded with spaces. */
const bodyOf = (size: number): string => {
  const empty = JSON.stringify({ query: '{ connections { total } }' });
  return JSON.stringify({ query: `{ connections { total } }${' '.repeat(size - empty.length)}` });
};

const tooLarge = {
  errors: [
    {
      message: 'The request body is larger than 262144 bytes (MAX_REQUEST_BYTES).',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED' },
    },
  ],
};

const textOf = async (response: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text;
};

it('a body of exactly MAX_REQUEST_BYTES is served', async () => {
  const body = bodyOf(limit);
  expect(Buffer.byteLength(body)).toBe(limit);
  const response = await fetch(servers.gateway.url, { method: 'POST', headers, body });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { connections: { total: 1 } } });
});

it('one byte more is HTTP 413, and Drata is never called', async () => {
  const response = await fetch(servers.gateway.url, { method: 'POST', headers, body: bodyOf(limit + 1) });
  expect(response.status).toBe(413);
  expect(await response.json()).toEqual(tooLarge);
  expect(servers.upstream.requests).toEqual([]);
});

it('a declared 20 MB body is refused before a byte of it is sent', async () => {
  const { port } = new URL(servers.gateway.url);
  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      headers: { ...headers, 'content-length': String(20 * 1024 * 1024) },
    });
    request.on('response', resolve);
    request.on('error', reject);
    request.flushHeaders();
  });
  expect(answer.statusCode).toBe(413);
  expect(JSON.parse(await textOf(answer))).toEqual(tooLarge);
});

it('a chunked body is cut off at the cap: the gateway answers 413 while the client is still sending', async () => {
  const { port } = new URL(servers.gateway.url);
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers });
    request.on('response', resolve);
    request.on('error', reject);
    const pump = (): void => {
      // 20 MB at most; the answer comes long before.
      if (sent >= 20 * 1024 * 1024 || request.destroyed) return;
      sent += chunk.length;
      request.write(chunk, pump);
    };
    pump();
  });
  expect(answer.statusCode).toBe(413);
  expect(JSON.parse(await textOf(answer))).toEqual(tooLarge);
  expect(sent).toBeLessThan(4 * 1024 * 1024);
});

it('a client that stalls in its headers is cut off after the headers timeout', async () => {
  const { port } = new URL(servers.gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (data) => (received += String(data)));
  socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
  await new Promise((resolve) => socket.once('close', resolve));
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
});

it('a client that stalls in its body is cut off after the request timeout', async () => {
  const { port } = new URL(servers.gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.on('data', (data) => (received += String(data)));
  socket.write(
    'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
  );
  await new Promise((resolve) => socket.once('close', resolve));
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
  expect(servers.upstream.requests).toEqual([]);
});

it('request headers of 15 KiB are served', async () => {
  const response = await fetch(servers.gateway.url, {
    method: 'POST',
    headers: { ...headers, 'x-padding': 'a'.repeat(15 * 1024) },
    body: bodyOf(100),
  });
  expect(response.status).toBe(200);
});

it('request headers past 16 KiB are HTTP 431', async () => {
  const response = await fetch(servers.gateway.url, {
    method: 'POST',
    headers: { ...headers, 'x-padding': 'a'.repeat(17 * 1024) },
    body: bodyOf(100),
  });
  expect(response.status).toBe(431);
  expect(servers.upstream.requests).toEqual([]);
});
