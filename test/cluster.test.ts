import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { shareOf } from '../src/cluster.js';
import { loadConfig } from '../src/config.js';
import { defaultResilience } from '../src/upstream/policies.js';
import { close, drataItem, drataPage, listen, sendJson, startUpstream, until } from './helpers.js';
import { recordCredential } from './leak-check.js';
import { logLines, run } from './process.js';

const token = 'Bearer tok-cluster-6a1f';

/** POSTs a GraphQL query on a connection of its own (so that the primary hands it to the next worker). */
function postOnNewConnection(url: string, query: string): Promise<{ status: number; body: unknown }> {
  recordCredential(token);
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          authorization: token,
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe("a worker's share", () => {
  it('divides the rate limit, the concurrency cap, the queue and the retry floor among the workers', () => {
    expect(shareOf(defaultResilience, 1)).toBe(defaultResilience);
    expect(
      shareOf({ ...defaultResilience, rateLimitPerMinute: 400, maxConcurrency: 16, maxQueue: 100 }, 3),
    ).toEqual({
      ...defaultResilience,
      rateLimitPerMinute: 133,
      maxConcurrency: 5,
      maxQueue: 33,
      retryBudgetMinPerSecond: defaultResilience.retryBudgetMinPerSecond / 3,
    });
    // Off stays off; a share is never 0 when the whole is not.
    expect(
      shareOf({ ...defaultResilience, rateLimitPerMinute: 0, maxConcurrency: 1, maxQueue: 0 }, 4),
    ).toMatchObject({
      rateLimitPerMinute: 0,
      maxConcurrency: 1,
      maxQueue: 0,
    });
  });

  it('WEB_CONCURRENCY sets the workers: one per CPU in production, one otherwise; their metrics get a port', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ WEB_CONCURRENCY: '3' })).toMatchObject({ workers: 3, metricsPort: 9464 });
    expect(loadConfig({ WEB_CONCURRENCY: '3', PORT: '9464' })).toMatchObject({
      workers: 3,
      metricsPort: 9465,
    });
    expect(loadConfig({ WEB_CONCURRENCY: '3', PORT: '0' })).toMatchObject({ workers: 3, metricsPort: 0 });
    expect(loadConfig({ WEB_CONCURRENCY: '3', METRICS_PORT: '9100' })).toMatchObject({ metricsPort: 9100 });
    expect(loadConfig({ WEB_CONCURRENCY: '1' }).metricsPort).toBeUndefined();
    expect(() => loadConfig({ WEB_CONCURRENCY: '0' })).toThrow(
      'WEB_CONCURRENCY="0" is not valid: use a whole number from 1 to 256.',
    );
  });
});

describe('WEB_CONCURRENCY=2', () => {
  it('serves from both workers on one port, each with its share of Drata, metrics added together, and drains both on SIGTERM', async () => {
    const held: ServerResponse[] = [];
    await using upstream = await startUpstream((_request, response) => held.push(response));
    const started = run({
      DRATA_API_URL: upstream.baseUrl.href,
      WEB_CONCURRENCY: '2',
      // Two in flight and none waiting for the whole: one in flight per worker.
      DRATA_MAX_CONCURRENCY: '2',
      DRATA_MAX_QUEUE: '0',
    });
    onTestFinished(() => {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    });
    await until(
      () => logLines(started).filter((line) => 'graphqlUrl' in line).length === 2,
      'both workers are ready',
      20_000,
    );
    const ready = logLines(started).filter((line) => 'graphqlUrl' in line);
    const url = ready[0]!['graphqlUrl'] as string;
    expect(ready[1]!['graphqlUrl']).toBe(url);
    expect(new Set(ready.map((line) => line['pid'])).size).toBe(2);

    // Four connections, two to each worker: each worker holds one call at Drata and refuses the next.
    const answers = [1, 2, 3, 4].map((page) =>
      postOnNewConnection(url, `{ connections(page: { page: ${page} }) { page } }`),
    );
    await until(() => held.length === 2, 'each worker holds one call at Drata');
    const refused = await Promise.race([
      Promise.all([answers[2]!, answers[3]!]),
      Promise.all(answers.slice(0, 2)),
    ]);
    expect(refused.map((answer) => answer.status)).toEqual([200, 200]);
    expect(
      refused.map(
        (answer) =>
          (answer.body as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ),
    ).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);

    // The primary serves both workers' metrics, added together.
    const metricsLine = logLines(started).find((line) => typeof line['metricsUrl'] === 'string');
    const metrics = await (await fetch(metricsLine!['metricsUrl'] as string)).text();
    expect(metrics).toMatch(/^drata_upstream_in_flight 2$/m);
    expect(metrics).toMatch(/^drata_queue_rejections_total 2$/m);

    // SIGTERM to the primary: both workers drain and answer what they hold, then everything exits 0.
    started.child.kill('SIGTERM');
    await until(
      () => logLines(started).filter((line) => line['signal'] === 'drain').length === 2,
      'both workers drain',
    );
    for (const response of held.splice(0)) {
      const page = Number(new URL(response.req.url ?? '', 'http://upstream').searchParams.get('page'));
      sendJson(response, 200, drataPage([drataItem()], page));
    }
    expect((await Promise.all(answers)).slice(0, 2)).toEqual([
      { status: 200, body: { data: { connections: { page: 1 } } } },
      { status: 200, body: { data: { connections: { page: 2 } } } },
    ]);
    expect(await started.exited).toBe(0);
    expect(logLines(started).filter((line) => line['msg'] === 'Stopped').length).toBe(3);
  });
});

describe('the primary', () => {
  it('replaces a worker that dies', async () => {
    await using upstream = await startUpstream((_request, response) =>
      sendJson(response, 200, drataPage([])),
    );
    const started = run({ DRATA_API_URL: upstream.baseUrl.href, WEB_CONCURRENCY: '2' });
    onTestFinished(() => {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    });
    const readyLines = () => logLines(started).filter((line) => 'graphqlUrl' in line);
    await until(() => readyLines().length === 2, 'both workers are ready', 20_000);
    const victim = readyLines()[0]!['pid'] as number;
    process.kill(victim, 'SIGKILL');
    await until(() => readyLines().length === 3, 'a new worker is ready', 20_000);
    expect(
      logLines(started).find((line) => line['msg'] === 'A worker exited; starting another'),
    ).toMatchObject({
      pid: victim,
      signal: 'SIGKILL',
    });
    expect(new Set(readyLines().map((line) => line['pid'])).size).toBe(3);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });

  it('stops, exit 1, when workers keep dying instead of forking them in a loop', async () => {
    const taken = createServer();
    const port = await listen(taken);
    onTestFinished(() => close(taken));
    const started = run({ WEB_CONCURRENCY: '2', PORT: String(port) });
    onTestFinished(() => {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    });
    expect(await started.exited).toBe(1);
    expect(logLines(started).find((line) => line['level'] === 60 && 'exits' in line)).toMatchObject({
      msg: 'Workers keep exiting; stopping (see their errors above)',
      exits: 3,
    });
  });

  it('drains its workers once when the whole process group gets SIGTERM (a terminal, systemd)', async () => {
    const held: ServerResponse[] = [];
    await using upstream = await startUpstream((_request, response) => held.push(response));
    const started = run({ DRATA_API_URL: upstream.baseUrl.href, WEB_CONCURRENCY: '2' }, undefined, {
      processGroup: true,
    });
    onTestFinished(() => {
      if (started.child.exitCode === null) process.kill(-started.child.pid!, 'SIGKILL');
    });
    await until(
      () => logLines(started).filter((line) => 'graphqlUrl' in line).length === 2,
      'both workers are ready',
      20_000,
    );
    const url = logLines(started).find((line) => 'graphqlUrl' in line)!['graphqlUrl'] as string;
    const answer = postOnNewConnection(url, '{ connections(page: { page: 3 }) { page } }');
    await until(() => held.length === 1, 'Drata holds the call');
    process.kill(-started.child.pid!, 'SIGTERM');
    await until(
      () => logLines(started).filter((line) => line['signal'] === 'drain').length === 2,
      'both workers drain',
    );
    held[0]!.writeHead(200, { 'content-type': 'application/json' });
    held[0]!.end(JSON.stringify(drataPage([drataItem()], 3)));
    expect(await answer).toEqual({ status: 200, body: { data: { connections: { page: 3 } } } });
    expect(await started.exited).toBe(0);
    expect(
      logLines(started).filter((line) => line['msg'] === 'Stopping now: the drain is cut short'),
    ).toEqual([]);
  });
});
