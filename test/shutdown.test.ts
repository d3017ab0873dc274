import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startUpstream,
  until,
  type GraphQLAnswer,
} from './helpers.js';
import { logLines, ready, run, type Started } from './process.js';

const headers = { authorization: 'Bearer tok-drain-3e8a' };

/** A test Drata that holds every request for page 1 until the test answers it; other pages answer at once. */
async function startHeldUpstream() {
  const held: ServerResponse[] = [];
  const upstream = await startUpstream((request, response) => {
    const page = Number(new URL(request.url ?? '', 'http://upstream').searchParams.get('page'));
    if (page === 1 || page > 100) held.push(response);
    else sendJson(response, 200, drataPage([drataItem({ id: page })], page, 20, 500));
  });
  const answerHeld = (): void => {
    for (const response of held.splice(0)) {
      const page = Number(new URL(response.req.url ?? '', 'http://upstream').searchParams.get('page'));
      sendJson(response, 200, drataPage([drataItem({ id: page })], page, 20, 500));
    }
  };
  return { upstream, held, answerHeld, [Symbol.asyncDispose]: () => upstream.close() };
}

/** Waits for a log line with `msg`, and returns it. */
async function logged(started: Started, msg: string): Promise<Record<string, unknown>> {
  await until(() => logLines(started).some((line) => line['msg'] === msg), `the gateway logged "${msg}"`);
  return logLines(started).find((line) => line['msg'] === msg)!;
}

/** Whether a new connection to `url` is refused. */
const refused = (url: string): Promise<boolean> =>
  fetch(url).then(
    async (response) => {
      await response.text();
      return false;
    },
    () => true,
  );

const query = (page: number): string => `{ connections(page: { page: ${page} }) { page nodes { id } } }`;

describe('on SIGTERM', () => {
  it('stops taking connections, answers every request in flight, closes the pool and exits 0', async () => {
    await using drata = await startHeldUpstream();
    const { upstream, held, answerHeld } = drata;
    const started = run({ DRATA_API_URL: upstream.baseUrl.href });
    const { graphqlUrl } = await ready(started);
    const readyz = graphqlUrl.replace('/graphql', '/readyz');
    expect((await fetch(readyz)).status).toBe(200);

    // Eight requests in flight, each a held call at Drata (one is page 1; the others are held pages).
    const pages = [1, 101, 102, 103, 104, 105, 106, 107];
    const answers: Promise<GraphQLAnswer>[] = pages.map((page) =>
      graphql(graphqlUrl, query(page), { headers }),
    );
    await until(() => held.length === pages.length, 'Drata holds every call');

    started.child.kill('SIGTERM');
    await logged(started, 'Draining: /readyz answers 503 and requests in flight are finishing');
    // No new connection is accepted, while the eight are still owed their answers.
    await expect(refused(readyz)).resolves.toBe(true);
    expect(held.length).toBe(pages.length);

    answerHeld();
    const settled = await Promise.all(answers);
    expect(settled.map((answer) => [answer.status, answer.headers.get('connection'), answer.body])).toEqual(
      pages.map((page) => [200, 'close', { data: { connections: { page, nodes: [{ id: String(page) }] } } }]),
    );
    expect(await started.exited).toBe(0);
    expect(logLines(started).find((line) => line['msg'] === 'Stopped')).toMatchObject({
      finished: 8,
      cut: 0,
    });
    expect(await upstream.connections()).toBe(0);
  });

  it('keeps serving for SHUTDOWN_DELAY_MS with /readyz at 503; a second signal cuts the drain short', async () => {
    await using drata = await startHeldUpstream();
    const { upstream, held } = drata;
    const started = run({ DRATA_API_URL: upstream.baseUrl.href, SHUTDOWN_DELAY_MS: '600000' });
    const { graphqlUrl } = await ready(started);
    const readyz = graphqlUrl.replace('/graphql', '/readyz');
    const healthz = graphqlUrl.replace('/graphql', '/healthz');

    const owed = graphql(graphqlUrl, query(1), { headers }).then(
      (answer) => `answered ${JSON.stringify(answer.body)}`,
      () => 'connection closed',
    );
    await until(() => held.length === 1, 'Drata holds the call');
    started.child.kill('SIGTERM');
    await logged(started, 'Draining: /readyz answers 503 and requests in flight are finishing');

    // Still listening: not ready, still alive, and a new operation is still served (then its connection closes).
    const probe = await fetch(readyz);
    expect([probe.status, probe.headers.get('cache-control'), await probe.json()]).toEqual([
      503,
      'no-store',
      { status: 'draining' },
    ]);
    const alive = await fetch(healthz);
    expect([alive.status, await alive.json()]).toEqual([200, { status: 'alive' }]);
    const late = await graphql(graphqlUrl, query(2), { headers });
    expect([late.status, late.headers.get('connection'), late.body]).toEqual([
      200,
      'close',
      { data: { connections: { page: 2, nodes: [{ id: '2' }] } } },
    ]);

    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(await owed).toBe('connection closed');
    expect(logLines(started).find((line) => line['msg'] === 'Stopped')).toMatchObject({
      finished: 1,
      cut: 1,
    });
  });

  it('closes the connections still owed an answer when SHUTDOWN_GRACE_MS ends, and exits 0', async () => {
    await using drata = await startHeldUpstream();
    const { upstream, held } = drata;
    const started = run({ DRATA_API_URL: upstream.baseUrl.href, SHUTDOWN_GRACE_MS: '300' });
    const { graphqlUrl } = await ready(started);
    const owed = graphql(graphqlUrl, query(1), { headers }).then(
      (answer) => `answered ${JSON.stringify(answer.body)}`,
      () => 'connection closed',
    );
    await until(() => held.length === 1, 'Drata holds the call');
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(await owed).toBe('connection closed');
    expect(logLines(started).find((line) => line['cut'] === 1 && line['level'] === 40)).toMatchObject({
      msg: 'Requests were still unanswered when the drain ended; their connections were closed',
    });
    // The call to Drata was cancelled with its caller: the pool closed with nothing left open.
    await until(() => held.every((response) => response.req.socket.destroyed), 'the held call is cancelled');
  });
});
