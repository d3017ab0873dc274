import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { watchStream } from './leak-check.js';

/** The repository's root. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/** A gateway process started by a test. */
export interface Started {
  readonly child: ChildProcess;
  /** Its standard output and error, as received. */
  readonly stdout: string[];
  /** Resolves with the process's exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs the gateway's entry point (`src/index.ts` through tsx unless `command` says otherwise),
 * logging at trace level, with `env` on top of a clean environment. The leak check searches its
 * output.
 */
export function run(
  env: Record<string, string>,
  command: readonly string[] = ['--import', 'tsx', 'src/index.ts'],
  options: { readonly processGroup?: boolean } = {},
): Started {
  const child = spawn(process.execPath, [...command], {
    cwd: root,
    // A process group of its own, which a test can signal as a whole (`process.kill(-pid)`).
    detached: options.processGroup === true,
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

/** The JSON log lines a process has written so far. */
export const logLines = (started: Started): Record<string, unknown>[] =>
  started.stdout
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Waits for the "ready" log line and returns it. */
export async function ready(started: Started): Promise<{ graphqlUrl: string; msg: string }> {
  for (;;) {
    const line = logLines(started).find((entry) => typeof entry['graphqlUrl'] === 'string');
    if (line) return line as { graphqlUrl: string; msg: string };
    const exited = await Promise.race([
      started.exited,
      new Promise((resolve) => setTimeout(resolve, 25, 'wait')),
    ]);
    if (exited !== 'wait') throw new Error(`the gateway exited: ${started.stdout.join('')}`);
  }
}
