import { describe, expect, it } from 'vitest';
import { drataItem, drataPage, graphql, sendJson, startUpstream, until } from './helpers.js';
import { ready, run } from './process.js';

describe('the process', () => {
  it('starts on the sandbox with no configuration, says where and with which token, and stops on SIGTERM', async () => {
    const started = run({});
    const line = await ready(started);
    expect(line.msg).toBe(
      `Gateway ready at ${line.graphqlUrl} on the embedded sandbox (not Drata): send "Authorization: Bearer sandbox-token"`,
    );
    const answer = await graphql(
      line.graphqlUrl,
      '{ connections(page: { limit: 1 }) { total nodes { id } } }',
      {
        headers: { authorization: 'Bearer sandbox-token' },
      },
    );
    expect(answer.body).toEqual({ data: { connections: { total: 160, nodes: [{ id: '1' }] } } });
    expect((await fetch(line.graphqlUrl.replace('/graphql', '/healthz'))).status).toBe(200);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('calls the DRATA_API_URL it is given', async () => {
    await using upstream = await startUpstream((_request, response) =>
      sendJson(response, 200, drataPage([drataItem()])),
    );
    const started = run({ DRATA_API_URL: upstream.baseUrl.href, NODE_ENV: 'production' });
    const line = await ready(started);
    expect(line.msg).toBe(`Gateway ready at ${line.graphqlUrl}, calling Drata at ${upstream.baseUrl.origin}`);
    const answer = await graphql(line.graphqlUrl, '{ connections { total } }', {
      headers: { authorization: 'Bearer real-key' },
    });
    expect(answer.body).toEqual({ data: { connections: { total: 1 } } });
    expect(upstream.requests.map((request) => request.url)).toEqual(['/public/connections?page=1&limit=20']);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.stdout.join('')).not.toContain('real-key');
  });

  it('writes its logs for people with LOG_FORMAT=pretty', async () => {
    await using upstream = await startUpstream((_request, response) =>
      sendJson(response, 200, drataPage([])),
    );
    const started = run({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'info', DRATA_API_URL: upstream.baseUrl.href });
    await until(() => started.stdout.join('').includes('Gateway ready at'), 'the gateway is ready');
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    const [first] = started.stdout.join('').split('\n');
    expect(first).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(drata-graphql-gateway\): Gateway ready at http:\/\/127\.0\.0\.1:\d+\/graphql, calling Drata at http:\/\/127\.0\.0\.1:\d+$/,
    );
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'DRATA_API_URL is not set and NODE_ENV=production'],
    [{ PORT: 'eighty' }, 'PORT="eighty" is not valid: use a whole number from 0 to 65535.'],
    [
      { TRUSTED_DOCUMENTS: '/nonexistent/manifest.json' },
      'TRUSTED_DOCUMENTS="/nonexistent/manifest.json" cannot be used: the file cannot be read (ENOENT).',
    ],
  ])('refuses to start with %o', async (env, message) => {
    const started = run(env);
    expect(await started.exited).toBe(1);
    expect(started.stdout.join('')).toContain(`drata-graphql-gateway: ${message}`);
  });
});
