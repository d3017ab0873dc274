import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSchema } from '../scripts/check-schema.js';
import { root } from './process.js';

const exec = promisify(execFile);
const served = readFileSync(join(root, 'schema/subgraph.graphql'), 'utf8');
const directory = mkdtempSync(join(tmpdir(), 'check-schema-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const header = (version: string): string =>
  `# The subgraph SDL released as ${version}: the baseline of \`npm run check:schema\`. Written by \`npm run check:schema -- --release\`; never edited by hand.\n`;

let fixtures = 0;
/** Writes a baseline (the served SDL released as `released`), a changed schema and a changelog. */
function fixture(options: { released?: string; change?: (sdl: string) => string; changelog?: string }) {
  fixtures += 1;
  const files = {
    baseline: join(directory, `released-${fixtures}.graphql`),
    schema: join(directory, `subgraph-${fixtures}.graphql`),
    changelog: join(directory, `CHANGELOG-${fixtures}.md`),
  };
  writeFileSync(files.baseline, header(options.released ?? '1.4.0') + served);
  const changed = options.change ? options.change(served) : served;
  expect(changed).not.toBe(options.change ? served : undefined);
  writeFileSync(files.schema, changed);
  writeFileSync(files.changelog, options.changelog ?? '# Changelog\n\n## 1.4.0\n\nThe release.\n');
  return files;
}

const removeGroupLabel = (sdl: string): string =>
  sdl.replace(/\n\n {2}"""\n {2}The group of people[^\n]*\n {2}"""\n {2}groupLabel: String\n/, '\n');
const addField = (sdl: string): string =>
  sdl.replace(
    'type DrataConnection\n  @key(fields: "id")\n{',
    'type DrataConnection\n  @key(fields: "id")\n{\n  owner: String',
  );
const addEnumValue = (sdl: string): string =>
  sdl.replace('enum DrataConnectionState {', 'enum DrataConnectionState {\n  PAUSED');

describe('npm run check:schema', () => {
  it('passes on this repository: the served schema is the released one, or its changes are recorded', async () => {
    // It exits 0 (else exec rejects): no change, or only safe and dangerous ones, since the release.
    const { stdout } = await exec('npm', ['run', '--silent', 'check:schema'], { cwd: root });
    if (stdout !== 'No changes to the schema since 0.2.0.\n') {
      expect(stdout).toMatch(/^Changes to the schema since 0\.2\.0:\n/);
      expect(stdout).not.toMatch(/^breaking/m);
    }
  });

  it('prints safe and dangerous changes and passes', async () => {
    const result = await checkSchema(fixture({ change: (sdl) => addEnumValue(addField(sdl)) }));
    expect(result.report).toBe(
      [
        'Changes to the schema since 1.4.0:',
        'dangerous (1):',
        "  ! Enum value 'PAUSED' was added to enum 'DrataConnectionState' (DrataConnectionState.PAUSED)",
        'safe (1):',
        "  ✔ Field 'owner' was added to object type 'DrataConnection' (DrataConnection.owner)",
      ].join('\n'),
    );
    expect(result.problems).toEqual([]);
  });

  it('fails on a breaking change that the changelog does not record under a new major version', async () => {
    const files = fixture({ change: removeGroupLabel });
    const result = await checkSchema(files);
    expect(result.breaking.map((change) => change.path)).toEqual(['DrataConnection.groupLabel']);
    expect(result.problems).toEqual([
      `Breaking changes need a new major version: the newest version in ${files.changelog} is 1.4.0 and 1.4.0 is released. Record them under a new major version (a new minor one while below 1.0.0), naming each change's path.`,
    ]);
    // The command line says the same, and exits 1.
    const failed = await exec(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/check-schema.ts',
        '--baseline',
        files.baseline,
        '--schema',
        files.schema,
        '--changelog',
        files.changelog,
      ],
      { cwd: root },
    ).catch((error: unknown) => error as { code: number; stdout: string });
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stdout: string }).stdout).toBe(`${result.report}\n`);
  });

  it('fails when a new major version does not name each breaking change, and passes when it does', async () => {
    const vague = await checkSchema(
      fixture({
        change: removeGroupLabel,
        changelog: '# Changelog\n\n## 2.0.0\n\nRemoved a field.\n\n## 1.4.0\n',
      }),
    );
    expect(vague.problems).toEqual([
      expect.stringMatching(
        /^2\.0\.0 in .* does not record every breaking change: name `DrataConnection\.groupLabel` in it\.$/,
      ),
    ]);
    const recorded = await checkSchema(
      fixture({
        change: removeGroupLabel,
        changelog:
          '# Changelog\n\n## [2.0.0] - 2027-01-04\n\n- Removed `DrataConnection.groupLabel`.\n\n## 1.4.0\n',
      }),
    );
    expect(recorded.problems).toEqual([]);
    expect(recorded.report).toBe(
      [
        'Changes to the schema since 1.4.0:',
        'breaking (1):',
        "  ✖ Field 'groupLabel' was removed from object type 'DrataConnection' (DrataConnection.groupLabel)",
      ].join('\n'),
    );
  });

  it('below 1.0.0, a new minor version may break', async () => {
    const result = await checkSchema(
      fixture({
        released: '0.2.0',
        change: removeGroupLabel,
        changelog: '## 0.3.0\n\n- `DrataConnection.groupLabel` is gone.\n',
      }),
    );
    expect(result.problems).toEqual([]);
    const patch = await checkSchema(
      fixture({
        released: '0.2.0',
        change: removeGroupLabel,
        changelog: '## 0.2.1\n\n- `DrataConnection.groupLabel` is gone.\n',
      }),
    );
    expect(patch.problems).toHaveLength(1);
  });
});
