import type { Plugin } from 'graphql-yoga';
import { refusalBody } from './errors.js';

/** Media types a GraphQL answer can be given in (or a browser's page, for GraphiQL). */
const answerable = new Set([
  'application/graphql-response+json',
  'application/json',
  'application/*',
  '*/*',
  'text/html',
  'multipart/mixed',
  'text/event-stream',
]);

const mediaTypes = (header: string): string[] =>
  header
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((type) => type !== '');

const isJsonObject = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
};

/** A `BAD_REQUEST` answer, as JSON, given before the request is parsed or run. */
function refuse(status: number, message: string): Response {
  return new Response(refusalBody(message, 'BAD_REQUEST'), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * Refuses, before anything runs, the requests to `endpoint` that are not GraphQL over HTTP as this
 * gateway serves it: a POST whose body is not `application/json` (form and multipart bodies, which a
 * browser sends across origins without asking, included) with 415; a GET whose `variables` or
 * `extensions` are not JSON objects with 400; an `Accept` header that admits no answer this gateway
 * gives with 406. Each as JSON with `BAD_REQUEST`.
 */
export function useRequestGuard(endpoint: string): Plugin {
  return {
    onRequest: (payload) => {
      const { request, url } = payload;
      if (url.pathname !== endpoint) return;
      const accept = request.headers.get('accept');
      if (
        accept !== null &&
        accept.trim() !== '' &&
        !mediaTypes(accept).some((type) => answerable.has(type))
      ) {
        payload.endResponse(
          refuse(406, 'The Accept header admits no answer this gateway gives: accept application/json.'),
        );
        return;
      }
      if (request.method === 'POST') {
        const type = mediaTypes(request.headers.get('content-type') ?? '')[0];
        if (type !== 'application/json') {
          payload.endResponse(
            refuse(415, 'A GraphQL request is sent as a POST with Content-Type: application/json.'),
          );
        }
        return;
      }
      if (request.method === 'GET') {
        for (const name of ['variables', 'extensions']) {
          const value = url.searchParams.get(name);
          if (value !== null && value !== '' && !isJsonObject(value)) {
            payload.endResponse(refuse(400, `The "${name}" parameter is not a JSON object.`));
            return;
          }
        }
      }
    },
  };
}
