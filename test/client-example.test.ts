/**
 * The typed client in examples/client/: it compiles under strict settings, the compiler refuses it
 * when it strays from the schema or from what its operations select, and it runs against a gateway on
 * the sandbox with the output it is documented to print.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { useSandboxGateway } from './helpers.js';
import { watchStream } from './leak-check.js';
import { root } from './process.js';

const tsc = join(root, 'node_modules/typescript/bin/tsc');
const example = join(root, 'examples/client');

interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs node with `args` in the repository's root, with `env` on top of a clean environment. */
function node(args: readonly string[], env: Record<string, string> = {}): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Replaces the one occurrence of `from` in `text`. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `one occurrence of ${JSON.stringify(from)}`).toBe(1);
  return text.replace(from, to);
}

it('compiles with tsc under strict settings', { timeout: 60_000 }, async () => {
  const result = await node([tsc, '-p', example, '--noEmit', '--pretty', 'false']);
  expect(result.stdout + result.stderr).toBe('');
  expect(result.code).toBe(0);
});

it(
  'does not compile when it reads a field its operation does not select, sends a variable or handles an error code the schema does not have, misses a code, or changes an operation without regenerating',
  { timeout: 60_000 },
  async () => {
    // A copy of the example beside the project's packages, changed in five places.
    const folder = await mkdtemp(join(tmpdir(), 'client-example-'));
    try {
      await cp(example, join(folder, 'client'), { recursive: true });
      await symlink(join(root, 'node_modules'), join(folder, 'node_modules'), 'dir');
      await writeFile(join(folder, 'package.json'), '{ "type": "module" }\n');

      const script = join(folder, 'client/list-connections.ts');
      let text = await readFile(script, 'utf8');
      text = replaceOnce(text, '${node.clientType}', '${node.clientTypeRaw}');
      text = replaceOnce(text, "count(['IDENTITY'])", "count(['IDENTITTY'])");
      text = replaceOnce(text, "    case 'FORBIDDEN':\n", "    case 'FORBIDDEN':\n    case 'NOT_A_CODE':\n");
      text = replaceOnce(text, "    case 'INTERNAL_SERVER_ERROR':\n", '');
      await writeFile(script, text);
      const operations = join(folder, 'client/operations.ts');
      await writeFile(
        operations,
        replaceOnce(await readFile(operations, 'utf8'), 'page: { limit: 1 }', 'page: { limit: 2 }'),
      );

      const result = await node([tsc, '-p', join(folder, 'client'), '--noEmit', '--pretty', 'false']);
      expect(result.code).toBe(2);
      // Each error, as its code and the line of the changed script it points at.
      const lines = text.split('\n');
      const errors = result.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [, file, row, code] = /^(.+?)\((\d+),\d+\): error (TS\d+):/.exec(line) ?? [];
          expect(file, line).toMatch(/client\/list-connections\.ts$/);
          return `${code ?? ''} ${lines[Number(row) - 1]?.trim() ?? ''}`;
        });
      expect(errors).toEqual([
        // A code the switch no longer handles: the function may end without a return.
        'TS2366 function whatToDo(code: DrataErrorCode): string {',
        // A code that is not a DrataErrorCode.
        "TS2678 case 'NOT_A_CODE':",
        // A field the operation does not select.
        'TS2551 console.log(`  - #${node.id} ${node.clientTypeRaw}${alias}`);',
        // An operation whose text no longer matches the generated documents is untyped, and refused.
        'TS2345 const { connections } = await client.request(ConnectionCount, { filter: { providerTypes } });',
        // A provider type the schema does not have.
        "TS2820 await orReport(() => count(['IDENTITTY']));",
        'TS2345 await anonymous.request(ConnectionCount, {});',
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
);

const running = useSandboxGateway();

/** Runs the example against the gateway on the sandbox with `token`; the leak check reads its output. */
async function listConnections(token: string): Promise<Finished> {
  const result = await node(['--import', 'tsx', 'examples/client/list-connections.ts'], {
    GATEWAY_URL: running.gateway.url,
    DRATA_TOKEN: token,
  });
  watchStream('the output of the example client')(result.stdout + result.stderr);
  return result;
}

it('runs against the gateway on the sandbox and prints what it read', { timeout: 60_000 }, async () => {
  const result = await listConnections('sandbox-token');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(
    [
      `Misconfigured connections (${running.gateway.url}):`,
      '  40 in all; the first 3, more on the next pages:',
      '  - #158 MERGEDEV_FRESHTEAM "eu-158"',
      '      failed at 2024-02-13T15:00:00.000Z, code 10030',
      '      provider types: none',
      '  - #154 STACKONE_TALENTLMS "corp-154"',
      '      failed at 2024-02-11T14:00:00.000Z, code 10020',
      '      provider types: none',
      '  - #150 MERGEDEV_HUMAANS "corp-150"',
      '      failed at 2024-01-23T06:00:00.000Z, code 10030',
      '      provider types: CYBER_INSURANCE, IDENTITY (disabled), ENTERPRISE_SSO',
      'Connections by provider type:',
      '  IDENTITY: 10',
      '  INFRASTRUCTURE or VERSION_CONTROL: 19',
      'A page larger than 50 is refused:',
      '  BAD_USER_INPUT: page.limit must be from 1 to 50 (got 51).',
      '    what to do: fix the arguments or variables',
      'A request without a key is refused:',
      '  UNAUTHENTICATED: No Authorization header: send your Drata API key as "Authorization: Bearer <key>".',
      '    what to do: send a valid Drata key as "Authorization: Bearer <key>"',
      '',
    ].join('\n'),
  );
});

it('prints the typed error of each operation that Drata refuses', { timeout: 60_000 }, async () => {
  const result = await listConnections('sandbox-403');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const forbidden = [
    '  FORBIDDEN: The API key is not allowed to list connections (HTTP 403): You are not allowed to perform this action',
    '    what to do: give the key the "Connections: List Connections" permission',
  ];
  expect(result.stdout).toBe(
    [
      `Misconfigured connections (${running.gateway.url}):`,
      ...forbidden,
      'Connections by provider type:',
      ...forbidden,
      ...forbidden,
      'A page larger than 50 is refused:',
      '  BAD_USER_INPUT: page.limit must be from 1 to 50 (got 51).',
      '    what to do: fix the arguments or variables',
      'A request without a key is refused:',
      '  UNAUTHENTICATED: No Authorization header: send your Drata API key as "Authorization: Bearer <key>".',
      '    what to do: send a valid Drata key as "Authorization: Bearer <key>"',
      '',
    ].join('\n'),
  );
});
