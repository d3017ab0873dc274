/**
 * `npm run sync:drata -- <path to Drata's OpenAPI document> [--date YYYY-MM-DD] [--root <dir>]`
 *
 * Follows Drata's enums: checks the given document (JSON, OpenAPI 3, `GET /connections`, every enum
 * the generator mirrors), vendors it as `openapi/drata-connections.json`, records the values it no
 * longer lists in `openapi/retired-enum-values.json` (they stay in the schema, deprecated; a value
 * Drata lists again leaves that file), regenerates everything (`npm run generate`), and prints, per
 * enum, the values added and removed, then the files that changed.
 *
 * `--date` is the date recorded for the values retired now (default: today, UTC). `--root` is the
 * project to update (default: this repository). A document that cannot be used, or that generation
 * fails on, changes nothing and exits 1 with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DocumentError,
  documentFile,
  enumNames,
  formatDocument,
  formatRetired,
  readEnums,
  readJson,
  readRetired,
  retiredFile,
  type EnumName,
  type EnumValues,
  type RetiredValues,
} from './drata-document.js';

const usage =
  'usage: npm run sync:drata -- <path to Drata OpenAPI document (JSON)> [--date YYYY-MM-DD] [--root <dir>]';

interface Options {
  documentPath: string;
  date: string;
  root: string;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): Options {
  let documentPath: string | undefined;
  let date = new Date().toISOString().slice(0, 10);
  let root = fileURLToPath(new URL('..', import.meta.url));
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--date' || argument === '--root') {
      const value = argv[index + 1];
      if (value === undefined) throw new UsageError(`${argument} needs a value.`);
      index += 1;
      if (argument === '--root') root = value;
      else if (/^\d{4}-\d{2}-\d{2}$/.test(value)) date = value;
      else throw new UsageError(`--date must be YYYY-MM-DD (got "${value}").`);
    } else if (argument.startsWith('--')) {
      throw new UsageError(`unknown option ${argument}.`);
    } else if (documentPath === undefined) {
      documentPath = argument;
    } else {
      throw new UsageError(`one document only (got "${documentPath}" and "${argument}").`);
    }
  }
  if (documentPath === undefined) throw new UsageError("the path to Drata's OpenAPI document is missing.");
  return { documentPath, date, root };
}

/** The text of every file under the directories the sync and the generators write. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const directory of ['openapi', 'schema', 'src/__generated__']) {
    const full = join(root, directory);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) {
      files.set(`${directory}/${name}`, readFileSync(join(full, name), 'utf8'));
    }
  }
  return files;
}

/** Puts back the files of a snapshot and removes the files written since. */
function restore(root: string, files: ReadonlyMap<string, string>): void {
  for (const file of snapshot(root).keys()) {
    if (!files.has(file)) rmSync(join(root, file));
  }
  for (const [file, text] of files) writeFileSync(join(root, file), text);
}

interface EnumChange {
  added: string[];
  removed: string[];
  /** Retired values that the document lists again. */
  restored: string[];
}

/** What changes per enum, and the retired values after the sync. */
function diffEnums(
  before: EnumValues,
  after: EnumValues,
  retired: RetiredValues,
  date: string,
): { changes: Record<EnumName, EnumChange>; retired: RetiredValues } {
  const changes = {} as Record<EnumName, EnumChange>;
  const next: RetiredValues = {};
  for (const name of enumNames) {
    const added = after[name].filter((value) => !before[name].includes(value));
    const removed = before[name].filter((value) => !after[name].includes(value));
    const kept = Object.entries(retired[name] ?? {}).filter(([value]) => !after[name].includes(value));
    const restored = Object.keys(retired[name] ?? {}).filter((value) => after[name].includes(value));
    const values = Object.fromEntries(kept);
    for (const value of removed) values[value] ??= date;
    next[name] = values;
    changes[name] = { added, removed, restored };
  }
  return { changes, retired: next };
}

function describe(name: EnumName, change: EnumChange): string {
  const parts: string[] = [];
  if (change.added.length > 0) parts.push(`+${change.added.length} added (${change.added.join(', ')})`);
  if (change.removed.length > 0) {
    parts.push(`-${change.removed.length} removed (${change.removed.join(', ')})`);
  }
  if (change.restored.length > 0) parts.push(`no longer deprecated: ${change.restored.join(', ')}`);
  return `${name}: ${parts.length > 0 ? parts.join(', ') : 'unchanged'}`;
}

function sync(options: Options): void {
  // `npm run` starts scripts in the package's directory; paths are relative to where it was typed.
  const cwd = process.env['INIT_CWD'] ?? process.cwd();
  const root = resolve(cwd, options.root);
  const documentPath = resolve(cwd, options.documentPath);
  const { document, enums: after } = readEnums(readJson(documentPath, 'the document'), documentPath);
  const { enums: before } = readEnums(
    readJson(join(root, documentFile), 'the vendored document'),
    join(root, documentFile),
  );
  const retiredPath = join(root, retiredFile);
  const { changes, retired } = diffEnums(before, after, readRetired(retiredPath), options.date);

  const filesBefore = snapshot(root);
  writeFileSync(join(root, documentFile), formatDocument(document));
  const retiredText = formatRetired(retired);
  if (retiredText === formatRetired({})) rmSync(retiredPath, { force: true });
  else writeFileSync(retiredPath, retiredText);

  const generate = spawnSync('npm', ['run', 'generate', '--silent'], { cwd: root, encoding: 'utf8' });
  if (generate.status !== 0) {
    process.stderr.write(generate.stdout + generate.stderr);
    restore(root, filesBefore);
    throw new DocumentError(
      `\`npm run generate\` failed in ${root} with the new document (see above); nothing was changed.`,
    );
  }
  const filesAfter = snapshot(root);

  const lines = enumNames.map((name) => describe(name, changes[name]));
  if (enumNames.some((name) => changes[name].removed.length > 0)) {
    lines.push(`Removed values stay in the schema, deprecated (${retiredFile}).`);
  }
  const changed = [...new Set([...filesBefore.keys(), ...filesAfter.keys()])]
    .filter((file) => filesBefore.get(file) !== filesAfter.get(file))
    .sort();
  lines.push(
    changed.length > 0
      ? `Updated: ${changed.join(', ')}.`
      : 'Nothing changed: the vendored document and the generated files already match.',
  );
  console.log(lines.join('\n'));
}

try {
  sync(parseArguments(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`sync:drata: ${error.message}\n${usage}`);
  } else if (error instanceof DocumentError) {
    console.error(`sync:drata: ${error.message}`);
  } else {
    throw error;
  }
  process.exitCode = 1;
}
