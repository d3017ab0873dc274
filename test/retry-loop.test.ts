import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  createTestClock,
  drataItem,
  drataPage,
  graphql,
  sendJson,
  startGateway,
  startUpstream,
} from './helpers.js';

/** One answer Drata may give to an attempt. */
type Answer =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: number }
  | { readonly kind: 'reset' };

const answer = fc.oneof(
  fc.constantFrom(200, 400, 403, 500, 502, 503, 504).map((status): Answer => ({ kind: 'status', status })),
  fc.constant<Answer>({ kind: 'status', status: 429 }),
  fc.integer({ min: 0, max: 3 }).map((retryAfter): Answer => ({ kind: 'status', status: 429, retryAfter })),
  fc.constant<Answer>({ kind: 'reset' }),
);

const send = (spec: Answer, request: IncomingMessage, response: ServerResponse): void => {
  if (spec.kind === 'reset') {
    request.socket.destroy();
    return;
  }
  if (spec.status === 200) {
    sendJson(response, 200, drataPage([drataItem()]));
    return;
  }
  const headers: Record<string, string> =
    spec.retryAfter === undefined ? {} : { 'retry-after': String(spec.retryAfter) };
  sendJson(response, spec.status, { statusCode: spec.status, message: 'no', code: 1 }, headers);
};

/** What a caller hears when Drata's last answer was `spec`. */
const expected = (spec: Answer): unknown => {
  if (spec.kind === 'reset') {
    return { message: 'Drata could not be reached.', extensions: { code: 'UPSTREAM_UNAVAILABLE' } };
  }
  const codes: Record<number, [string, string]> = {
    400: ['BAD_USER_INPUT', 'Drata rejected the request (HTTP 400): no'],
    403: ['FORBIDDEN', 'The API key is not allowed to list connections (HTTP 403): no'],
    429: ['RATE_LIMITED', "Drata's rate limit was reached (HTTP 429): no"],
  };
  const [code, message] = codes[spec.status] ?? [
    'UPSTREAM_ERROR',
    `Drata answered with an error (HTTP ${spec.status}).`,
  ];
  return { message, extensions: { code } };
};

const retryable = (spec: Answer): boolean =>
  spec.kind === 'reset' || [429, 502, 503, 504].includes(spec.status);

// The client's own retry loop, driven through a scripted Drata on a clock that moves by each wait:
// whatever Drata answers, a call makes at most three attempts, retries only what may be retried,
// keeps every wait inside its deadline and the least wait a rate limit asks for, and the caller hears
// the outcome of the last attempt.
it('a whole call, attempts and waits, stays within its deadline and ends with its last answer', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(answer, { minLength: 3, maxLength: 3 }),
      fc.constantFrom(500, 1200, 2500, 5000),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      async (script, timeoutMs, random) => {
        const clock = createTestClock(random, { advanceOnSleep: true });
        let index = 0;
        await using upstream = await startUpstream((request, response) => {
          send(script[Math.min(index, 2)]!, request, response);
          index += 1;
        });
        await using gateway = await startGateway({
          baseUrl: upstream.baseUrl,
          clock,
          resilience: {
            timeoutMs,
            attemptTimeoutMs: timeoutMs,
            backoffBaseMs: 10,
            backoffCapMs: 40,
            breakerThreshold: 1000,
            retryBudgetMinPerSecond: 1000,
          },
        });
        const result = await graphql(gateway.url, '{ connections { total } }', {
          headers: { authorization: 'Bearer loop' },
        });
        const attempts = upstream.requests.length;
        expect(attempts).toBeGreaterThanOrEqual(1);
        expect(attempts).toBeLessThanOrEqual(3);
        expect(clock.sleeps).toHaveLength(attempts - 1);
        expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(timeoutMs);
        script.slice(0, attempts - 1).forEach((spec, attempt) => {
          expect(retryable(spec)).toBe(true);
          const waited = clock.sleeps[attempt]!;
          if (spec.kind === 'status' && spec.status === 429) {
            const least = (spec.retryAfter ?? 1) * 1000;
            expect(waited).toBeGreaterThanOrEqual(least);
            expect(waited).toBeLessThan(least + 40);
          } else {
            expect(waited).toBeLessThan(40);
          }
        });
        const last = script[attempts - 1]!;
        if (last.kind === 'status' && last.status === 200) {
          expect(result.body).toEqual({ data: { connections: { total: 1 } } });
        } else {
          expect(result.body.data).toEqual({ connections: null });
          expect(result.body.errors).toHaveLength(1);
          expect(result.body.errors?.[0]).toMatchObject(expected(last) as object);
          // The last answer was final: not retryable, the third attempt, or its wait did not fit.
          if (retryable(last) && attempts < 3) expect(last).toMatchObject({ kind: 'status', status: 429 });
        }
      },
    ),
    { numRuns: 40 },
  );
}, 60_000);
