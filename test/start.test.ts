import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drataItem, drataPage, graphql, sendJson, startUpstream } from './helpers.js';
import { watchStream } from './leak-check.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly stdout: string[];
  /** Resolves with the process's exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs the gateway's entry point as `npm start` does, logging at trace level, with `env` on top of a
 * clean environment. The leak check searches its output.
 */
function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'trace', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const watchStdout = watchStream('the output of the gateway process');
  const watchStderr = watchStream('the error output of the gateway process');
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    watchStdout(chunk);
    stdout.push(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    watchStderr(chunk);
    stdout.push(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout, exited };
}

/** Waits for the "ready" log line and returns it parsed. */
async function ready(started: Started): Promise<{ graphqlUrl: string; msg: string }> {
  for (;;) {
    const line = started.stdout
      .join('')
      .split('\n')
      .find((text) => text.includes('"graphqlUrl"'));
    if (line) return JSON.parse(line) as { graphqlUrl: string; msg: string };
    const exited = await Promise.race([
      started.exited,
      new Promise((resolve) => setTimeout(resolve, 25, 'wait')),
    ]);
    if (exited !== 'wait') throw new Error(`the gateway exited: ${started.stdout.join('')}`);
  }
}

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
