/**
 * Holds the served schema to the released one: compares `schema/subgraph.graphql` (the SDL the gateway
 * serves, kept current by `npm run check:generated`) with the released baseline
 * `schema/released.graphql`, prints every change as breaking, dangerous or safe, and fails when a
 * breaking change is not recorded in `CHANGELOG.md` under a new major version.
 *
 *   npm run check:schema                      # CI
 *   npm run check:schema -- --release         # after a release: the served SDL becomes the baseline
 *   tsx scripts/check-schema.ts --baseline F --schema F --changelog F   # other files (tests)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { parse } from 'graphql';

/** A version as `CHANGELOG.md` and the baseline's header write it. */
interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

const parseVersion = (text: string): Version | undefined => {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return match
    ? { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), text }
    : undefined;
};

/** The baseline's first line names the version it was released as. */
const baselineHeader = (version: string): string =>
  `# The subgraph SDL released as ${version}: the baseline of \`npm run check:schema\`. Written by \`npm run check:schema -- --release\`; never edited by hand.\n`;

const baselineVersion = (text: string): Version | undefined =>
  parseVersion(/^# The subgraph SDL released as (\S+):/.exec(text)?.[1] ?? '');

/** The newest version of a changelog (its first `## x.y.z` or `## [x.y.z]` heading) and that section's text. */
export function latestChangelogEntry(changelog: string): { version: Version; text: string } | undefined {
  const headings = [...changelog.matchAll(/^## \[?(\d+\.\d+\.\d+)\]?.*$/gm)];
  const first = headings[0];
  const version = first ? parseVersion(first[1]!) : undefined;
  if (!first || !version) return undefined;
  const end = headings[1]?.index ?? changelog.length;
  return { version, text: changelog.slice(first.index, end) };
}

/**
 * Whether `next` may break clients of `released`: a new major version, or while below 1.0.0 (as
 * semantic versioning and npm's caret ranges read 0.x) a new minor one.
 */
export const isNewMajor = (next: Version, released: Version): boolean =>
  next.major > released.major || (next.major === 0 && released.major === 0 && next.minor > released.minor);

/** What a check found: every change by criticality, the problems that fail it, and its report. */
export interface SchemaCheck {
  readonly breaking: readonly Change[];
  readonly dangerous: readonly Change[];
  readonly safe: readonly Change[];
  readonly problems: readonly string[];
  readonly report: string;
}

const schemaOf = (sdl: string) => buildSubgraphSchema({ typeDefs: parse(sdl) });

/** Compares the served SDL with the baseline and the changelog's newest entry. */
export async function checkSchema(files: {
  readonly baseline: string;
  readonly schema: string;
  readonly changelog: string;
}): Promise<SchemaCheck> {
  const baselineText = readFileSync(files.baseline, 'utf8');
  const released = baselineVersion(baselineText);
  if (!released) {
    throw new Error(`${files.baseline} does not start with the line naming its released version`);
  }
  const changes = await diff(schemaOf(baselineText), schemaOf(readFileSync(files.schema, 'utf8')));
  const of = (level: CriticalityLevel) => changes.filter((change) => change.criticality.level === level);
  const breaking = of(CriticalityLevel.Breaking);
  const dangerous = of(CriticalityLevel.Dangerous);
  const safe = of(CriticalityLevel.NonBreaking);
  const line = (mark: string, change: Change): string =>
    `  ${mark} ${change.message}${change.path ? ` (${change.path})` : ''}`;
  const lines =
    changes.length === 0
      ? [`No changes to the schema since ${released.text}.`]
      : [
          `Changes to the schema since ${released.text}:`,
          ...[
            ['breaking', '✖', breaking],
            ['dangerous', '!', dangerous],
            ['safe', '✔', safe],
          ].flatMap(([name, mark, list]) =>
            (list as Change[]).length === 0
              ? []
              : [
                  `${name as string} (${(list as Change[]).length}):`,
                  ...(list as Change[]).map((change) => line(mark as string, change)),
                ],
          ),
        ];
  const problems: string[] = [];
  if (breaking.length > 0) {
    const entry = latestChangelogEntry(readFileSync(files.changelog, 'utf8'));
    if (!entry || !isNewMajor(entry.version, released)) {
      problems.push(
        `Breaking changes need a new major version: the newest version in ${files.changelog} is ${entry?.version.text ?? 'missing'} and ${released.text} is released. Record them under a new major version (a new minor one while below 1.0.0), naming each change's path.`,
      );
    } else {
      const unrecorded = breaking.filter(
        (change) => change.path && !entry.text.includes(`\`${change.path}\``),
      );
      if (unrecorded.length > 0) {
        problems.push(
          `${entry.version.text} in ${files.changelog} does not record every breaking change: name ${unrecorded.map((change) => `\`${change.path}\``).join(', ')} in it.`,
        );
      }
    }
  }
  return { breaking, dangerous, safe, problems, report: [...lines, ...problems].join('\n') };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const argument = (name: string, fallback: string): string => {
    const index = process.argv.indexOf(name);
    return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : `${root}${fallback}`;
  };
  const files = {
    baseline: argument('--baseline', 'schema/released.graphql'),
    schema: argument('--schema', 'schema/subgraph.graphql'),
    changelog: argument('--changelog', 'CHANGELOG.md'),
  };
  const result = await checkSchema(files);
  console.log(result.report);
  if (result.problems.length > 0) process.exit(1);
  if (process.argv.includes('--release')) {
    const entry = latestChangelogEntry(readFileSync(files.changelog, 'utf8'));
    if (!entry) throw new Error(`${files.changelog} has no version to release`);
    writeFileSync(files.baseline, baselineHeader(entry.version.text) + readFileSync(files.schema, 'utf8'));
    console.log(`${files.baseline} is now the schema released as ${entry.version.text}.`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
