import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { expect } from 'vitest';
import { graphiqlOptions } from '../src/graphiql.js';
import { sandboxToken } from '../src/sandbox/server.js';

/**
 * The suite-wide leak check. Every credential a caller sends (the part of `Authorization` after the
 * scheme) is recorded as it reaches a gateway or a test upstream, and every log line and every byte
 * of every answer a gateway gives is searched for the credentials recorded by then. A gateway can
 * only repeat a credential it has received, so nothing it could leak is searched for too late.
 * `test/setup.ts` fails each test file that found one.
 */

/** Where a credential showed. */
export interface Leak {
  readonly token: string;
  /** What showed it: a gateway's log, its answers, or a process's output. */
  readonly where: string;
  /** The test running at the time. */
  readonly test: string;
  /** The text around the credential. */
  readonly excerpt: string;
}

/** Each credential recorded, with the forms it is searched in (as sent, and escaped inside JSON). */
const credentials = new Map<string, readonly string[]>();
let longest = 0;

/** The credentials that showed, in this test file. */
export const leaks: Leak[] = [];

/**
 * The sandbox's demo token is public: the gateway prints it in its ready line and puts it in
 * GraphiQL's headers on the sandbox. Exactly those texts are blanked before the search, so the
 * token still may not show anywhere else.
 */
const published = [
  JSON.stringify(`send "Authorization: Bearer ${sandboxToken}"`).slice(1, -1),
  JSON.stringify(graphiqlOptions('sandbox').headers),
];

/** Records the credential of an `Authorization` header value, if it holds one. */
export function recordCredential(authorization: string | undefined): void {
  const value = authorization?.trim() ?? '';
  if (value === '' || /^bearer$/i.test(value)) return;
  // A value of one word has no scheme, and is all credential.
  const credential = /^\S+\s+(.+)$/s.exec(value)?.[1]?.trim() ?? value;
  if (credentials.has(credential)) return;
  const forms = [...new Set([credential, JSON.stringify(credential).slice(1, -1)])];
  credentials.set(credential, forms);
  longest = Math.max(longest, ...forms.map((form) => form.length));
}

/** Records every credential found in `text`, except in matches that end before `from`. */
function search(text: string, where: string, from = 0): void {
  let masked = text;
  // Blanked to the same length, so that offsets still point into `text`.
  for (const shown of published) masked = masked.replaceAll(shown, '#'.repeat(shown.length));
  for (const [token, forms] of credentials) {
    for (const form of forms) {
      const at = masked.indexOf(form, Math.max(0, from - form.length + 1));
      if (at === -1) continue;
      leaks.push({
        token,
        where,
        test: expect.getState().currentTestName ?? '(a hook, outside any test)',
        excerpt: text.slice(Math.max(0, at - 120), at + form.length + 120),
      });
      break;
    }
  }
}

/** Searches one complete log line. */
export function watchLine(line: string, where: string): void {
  search(line, where);
}

/** Returns a searcher of text that arrives in pieces, which finds credentials across the joins too. */
export function watchStream(where: string): (piece: string) => void {
  let tail = '';
  return (piece) => {
    const text = tail + piece;
    search(text, where, tail.length);
    tail = text.slice(Math.max(0, text.length - longest + 1));
  };
}

/**
 * Records the credential of every request `server` receives, before it handles the request, and
 * searches every byte it writes back on every connection (status line, headers and body).
 */
export function watchServer(server: Server, where: string): void {
  server.prependListener('request', (request) => recordCredential(request.headers.authorization));
  server.on('connection', (socket: Socket) => {
    const decoder = new StringDecoder('utf8');
    const watch = watchStream(where);
    const see = (chunk: unknown): void => {
      if (typeof chunk === 'string') watch(chunk);
      else if (chunk instanceof Uint8Array) watch(decoder.write(chunk));
    };
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    const end = socket.end.bind(socket) as (...args: unknown[]) => Socket;
    socket.write = (...args: unknown[]) => {
      see(args[0]);
      return write(...args);
    };
    socket.end = (...args: unknown[]) => {
      see(args[0]);
      return end(...args);
    };
  });
}
