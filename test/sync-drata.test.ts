import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run sync:drata` runs on a copy of the project in a temporary directory (`--root`), so that the
// repository's own `openapi/`, `schema/` and `src/__generated__/` are never touched.

const repo = fileURLToPath(new URL('..', import.meta.url));
const vendoredText = readFileSync(join(repo, 'openapi/drata-connections.json'), 'utf8');
const slow = 180_000;

interface OpenApi {
  paths: { '/connections': { get: { parameters: { name: string; schema: { enum?: string[] } }[] } } };
  components: {
    schemas: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }>;
  };
}

const vendored = (): OpenApi => JSON.parse(vendoredText) as OpenApi;
const clientTypes = vendored().components.schemas['ClientTypeEnum']!.enum!;

/** Drata's document with two client types added, `GCP` gone and the state `IN_PROGRESS` gone. */
function grownDocument(): OpenApi {
  const document = vendored();
  const schemas = document.components.schemas;
  schemas['ClientTypeEnum']!.enum = [
    ...clientTypes.filter((value) => value !== 'GCP'),
    'FOO_CLIENT',
    'BAR_CLIENT',
  ];
  const itemState = schemas['ConnectionCompactResponsePublicDto']!.properties!['state']!;
  itemState.enum = itemState.enum!.filter((value) => value !== 'IN_PROGRESS');
  const stateParameter = document.paths['/connections'].get.parameters.find((p) => p.name === 'state')!;
  stateParameter.schema.enum = stateParameter.schema.enum!.filter((value) => value !== 'IN_PROGRESS');
  return document;
}

const temporary: string[] = [];
const temporaryDirectory = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'sync-drata-'));
  temporary.push(directory);
  return directory;
};

/** A copy of what the sync reads and writes and of what generation runs, with the project's modules. */
function copyProject(): string {
  const root = temporaryDirectory();
  for (const entry of ['openapi', 'schema', 'src', 'scripts', 'examples', 'codegen.yml', 'package.json']) {
    cpSync(join(repo, entry), join(root, entry), { recursive: true });
  }
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(root, 'node_modules'));
  return root;
}

const documents = temporaryDirectory();
function documentFile(name: string, content: unknown): string {
  const path = join(documents, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function sync(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sync-drata.ts', ...args], {
    cwd: repo,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Each value of the enum `name` in an SDL file of `root`, with its deprecation reason if any. */
function enumValues(root: string, file: string, name: string): [value: string, deprecated?: string][] {
  const definition = parse(readFileSync(join(root, file), 'utf8')).definitions.find(
    (node): node is EnumTypeDefinitionNode =>
      node.kind === Kind.ENUM_TYPE_DEFINITION && node.name.value === name,
  );
  return (definition?.values ?? []).map((value) => {
    const deprecated = value.directives?.find((directive) => directive.name.value === 'deprecated');
    const reason = deprecated?.arguments?.[0]?.value;
    return reason?.kind === Kind.STRING ? [value.name.value, reason.value] : [value.name.value];
  });
}

const reason = (value: string, date: string): string =>
  `Drata no longer lists \`${value}\` (since the sync of ${date}). Kept so that operations using it stay valid; Drata may still send it.`;

/**
 * Runs in `root` what the gateway does with enum values, on that root's generated files: how Drata's
 * values map, whether the schema accepts a filter on a retired state, and what is forwarded.
 */
function probe(root: string): unknown {
  writeFileSync(
    join(root, 'probe.ts'),
    `import { parse, validate } from 'graphql';
import { retiredClientTypeValues, retiredConnectionStateValues } from './src/__generated__/drata-enums.js';
import { toSchemaEnum } from './src/resolvers/enums.js';
import { toConnectionsRequest } from './src/resolvers/Query/connections.js';
import { createSchema } from './src/server.js';
import { connectionsQuery } from './src/upstream/query.js';

const reported: string[] = [];
const report = (enumName: string, value: string) => reported.push(enumName + ' ' + value);
const args = { filter: { state: 'IN_PROGRESS' }, sort: { field: 'CONNECTION_STATE', direction: 'DESC' } };
console.log(JSON.stringify({
  mapped: [
    toSchemaEnum('DrataClientType', 'GCP', report),
    toSchemaEnum('DrataClientType', 'FOO_CLIENT', report),
    toSchemaEnum('DrataConnectionState', 'IN_PROGRESS', report),
    toSchemaEnum('DrataClientType', 'NEVER_LISTED', report),
  ],
  reported,
  errors: validate(
    createSchema(),
    parse('{ connections(filter: { state: IN_PROGRESS }, sort: { field: CONNECTION_STATE, direction: DESC }) { total } }'),
  ).map((error) => error.message),
  forwarded: connectionsQuery(toConnectionsRequest(args, 'probe')),
  retired: [retiredClientTypeValues, retiredConnectionStateValues],
}));
`,
  );
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'probe.ts'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as unknown;
}

/** The text of every file the sync may write, to show that a refused document changed nothing. */
function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const directory of ['openapi', 'schema', 'src/__generated__']) {
    for (const name of readdirSync(join(root, directory))) {
      out[`${directory}/${name}`] = readFileSync(join(root, directory, name), 'utf8');
    }
  }
  return out;
}

afterAll(() => {
  for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
});

describe('npm run sync:drata', () => {
  let root: string;
  beforeAll(() => {
    root = copyProject();
  });

  it(
    'adds the values Drata adds and keeps, deprecated, the values it removes',
    () => {
      const grown = grownDocument();
      const result = sync(documentFile('grown.json', grown), '--root', root, '--date', '2025-12-01');
      expect(result).toEqual({
        status: 0,
        stderr: '',
        stdout: `DrataProviderType: unchanged
DrataClientType: +2 added (FOO_CLIENT, BAR_CLIENT), -1 removed (GCP)
DrataConnectionState: -1 removed (IN_PROGRESS)
DrataConnectionSortField: unchanged
DrataSortDirection: unchanged
Removed values stay in the schema, deprecated (openapi/retired-enum-values.json).
Updated: openapi/drata-connections.json, openapi/retired-enum-values.json, schema/enums.generated.graphql, schema/subgraph.graphql, src/__generated__/drata-enums.ts, src/__generated__/resolvers.ts.
`,
      });

      // Vendored as given, in the repository's formatting.
      expect(readFileSync(join(root, 'openapi/drata-connections.json'), 'utf8')).toBe(
        JSON.stringify(grown, null, 2),
      );
      expect(readFileSync(join(root, 'openapi/retired-enum-values.json'), 'utf8')).toBe(`{
  "DrataClientType": {
    "GCP": "2025-12-01"
  },
  "DrataConnectionState": {
    "IN_PROGRESS": "2025-12-01"
  }
}
`);

      // The enum SDL and the served subgraph SDL: Drata's values, then the retired ones, then UNKNOWN.
      for (const file of ['schema/enums.generated.graphql', 'schema/subgraph.graphql']) {
        expect(enumValues(root, file, 'DrataClientType')).toEqual([
          ...grown.components.schemas['ClientTypeEnum']!.enum!.map((value) => [value]),
          ['GCP', reason('GCP', '2025-12-01')],
          ['UNKNOWN'],
        ]);
        expect(enumValues(root, file, 'DrataConnectionState')).toEqual([
          ['ACTIVE'],
          ['MISCONFIGURED'],
          ['CONFIGURED_PENDING_CONFIRMATION'],
          ['IN_PROGRESS', reason('IN_PROGRESS', '2025-12-01')],
          ['UNKNOWN'],
        ]);
      }

      // A retired value Drata still sends maps to itself; a filter on it is valid and forwarded.
      expect(probe(root)).toEqual({
        mapped: ['GCP', 'FOO_CLIENT', 'IN_PROGRESS', 'UNKNOWN'],
        reported: ['DrataClientType NEVER_LISTED'],
        errors: [],
        forwarded: 'page=1&limit=20&sort=CONNECTION_STATE&sortDir=DESC&state=IN_PROGRESS',
        retired: [['GCP'], ['IN_PROGRESS']],
      });
    },
    slow,
  );

  it(
    'takes a retired value off the retired list when Drata lists it again',
    () => {
      const result = sync(
        join(repo, 'openapi/drata-connections.json'),
        '--root',
        root,
        '--date',
        '2026-03-01',
      );
      expect(result).toEqual({
        status: 0,
        stderr: '',
        stdout: `DrataProviderType: unchanged
DrataClientType: +1 added (GCP), -2 removed (FOO_CLIENT, BAR_CLIENT), no longer deprecated: GCP
DrataConnectionState: +1 added (IN_PROGRESS), no longer deprecated: IN_PROGRESS
DrataConnectionSortField: unchanged
DrataSortDirection: unchanged
Removed values stay in the schema, deprecated (openapi/retired-enum-values.json).
Updated: openapi/drata-connections.json, openapi/retired-enum-values.json, schema/enums.generated.graphql, schema/subgraph.graphql, src/__generated__/drata-enums.ts.
`,
      });
      // Byte for byte the repository's own file: the same name and formatting.
      expect(readFileSync(join(root, 'openapi/drata-connections.json'), 'utf8')).toBe(vendoredText);
      expect(readFileSync(join(root, 'openapi/retired-enum-values.json'), 'utf8')).toBe(`{
  "DrataClientType": {
    "FOO_CLIENT": "2026-03-01",
    "BAR_CLIENT": "2026-03-01"
  }
}
`);
      expect(enumValues(root, 'schema/enums.generated.graphql', 'DrataClientType')).toEqual([
        ...clientTypes.map((value) => [value]),
        ['FOO_CLIENT', reason('FOO_CLIENT', '2026-03-01')],
        ['BAR_CLIENT', reason('BAR_CLIENT', '2026-03-01')],
        ['UNKNOWN'],
      ]);
      expect(enumValues(root, 'schema/enums.generated.graphql', 'DrataConnectionState')).toEqual([
        ['ACTIVE'],
        ['MISCONFIGURED'],
        ['CONFIGURED_PENDING_CONFIRMATION'],
        ['IN_PROGRESS'],
        ['UNKNOWN'],
      ]);
    },
    slow,
  );

  it(
    'says so when nothing changed',
    () => {
      const before = files(root);
      const result = sync(
        join(repo, 'openapi/drata-connections.json'),
        '--root',
        root,
        '--date',
        '2026-04-01',
      );
      expect(result).toEqual({
        status: 0,
        stderr: '',
        stdout: `DrataProviderType: unchanged
DrataClientType: unchanged
DrataConnectionState: unchanged
DrataConnectionSortField: unchanged
DrataSortDirection: unchanged
Nothing changed: the vendored document and the generated files already match.
`,
      });
      expect(files(root)).toEqual(before);
    },
    slow,
  );

  const withoutClientTypes = (): OpenApi => {
    const document = vendored();
    delete document.components.schemas['ClientTypeEnum'];
    return document;
  };
  const withBadValue = (): OpenApi => {
    const document = vendored();
    document.components.schemas['ProviderTypeEnum']!.enum!.push('NOT-A-NAME');
    return document;
  };
  const refused: [what: string, args: () => string[], stderr: string][] = [
    [
      'no document',
      () => [],
      "sync:drata: the path to Drata's OpenAPI document is missing.\nusage: npm run sync:drata -- <path to Drata OpenAPI document (JSON)> [--date YYYY-MM-DD] [--root <dir>]\n",
    ],
    [
      'a path with no file',
      () => [join(documents, 'missing.json')],
      `sync:drata: cannot read the document ${join(documents, 'missing.json')}: no such file.\n`,
    ],
    [
      'a file that is not JSON',
      () => [documentFile('broken.json', '{ "openapi": "3.0.0", ')],
      `sync:drata: the document ${join(documents, 'broken.json')} is not JSON.\n`,
    ],
    [
      'JSON that is not an OpenAPI document',
      () => [documentFile('array.json', [1, 2])],
      `sync:drata: ${join(documents, 'array.json')} is not an OpenAPI 3 document (no "openapi": "3.x" field).\n`,
    ],
    [
      'a document without GET /connections',
      () => [documentFile('other.json', { ...vendored(), paths: { '/users': {} } })],
      `sync:drata: ${join(documents, 'other.json')} has no GET /connections operation.\n`,
    ],
    [
      'a document without ClientTypeEnum',
      () => [documentFile('no-client-types.json', withoutClientTypes())],
      `sync:drata: ${join(documents, 'no-client-types.json')} has no string enum at components.schemas.ClientTypeEnum.\n`,
    ],
    [
      'a value that cannot be a GraphQL enum value',
      () => [documentFile('bad-value.json', withBadValue())],
      `sync:drata: ${join(documents, 'bad-value.json')}: components.schemas.ProviderTypeEnum lists "NOT-A-NAME", which cannot be a GraphQL enum value.\n`,
    ],
  ];
  it.each(refused)('refuses %s with a message, exit 1 and no change', (_what, args, stderr) => {
    const before = files(root);
    expect(sync(...args(), '--root', root)).toEqual({ status: 1, stdout: '', stderr });
    expect(files(root)).toEqual(before);
  });
});

describe('npm run generate', () => {
  it(
    'works with the retired-values file absent or empty, and names a broken one',
    () => {
      const root = copyProject();
      const generate = (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-from-openapi.ts', ...args], {
          cwd: root,
          encoding: 'utf8',
        });
      const check = () => generate('--check');
      const retired = join(root, 'openapi/retired-enum-values.json');
      if (existsSync(retired)) {
        rmSync(retired);
        expect(generate()).toMatchObject({ status: 0, stderr: '' });
      }
      expect(check()).toMatchObject({ status: 0, stdout: '', stderr: '' });
      writeFileSync(retired, '{}\n');
      expect(check()).toMatchObject({ status: 0, stdout: '', stderr: '' });
      writeFileSync(retired, '{ "ClientType": { "GCP": "2025-12-01" } }\n');
      expect(check()).toMatchObject({
        status: 1,
        stdout: '',
        stderr: `generate-from-openapi: ${retired}: "ClientType" is not one of DrataProviderType, DrataClientType, DrataConnectionState, DrataConnectionSortField, DrataSortDirection.\n`,
      });
    },
    slow,
  );
});
