/**
 * Reading Drata's OpenAPI document and the list of retired enum values: what both the generator
 * (`scripts/generate-from-openapi.ts`) and the sync (`scripts/sync-drata.ts`) need, checked the same
 * way for both.
 */
import { existsSync, readFileSync } from 'node:fs';

/** The vendored document, from the repository root. */
export const documentFile = 'openapi/drata-connections.json';

/** The enum values Drata's document no longer lists, kept in the schema as deprecated. */
export const retiredFile = 'openapi/retired-enum-values.json';

/** The schema's enums that mirror Drata's, in the order the generated files list them. */
export const enumNames = [
  'DrataProviderType',
  'DrataClientType',
  'DrataConnectionState',
  'DrataConnectionSortField',
  'DrataSortDirection',
] as const;
export type EnumName = (typeof enumNames)[number];

/** The values of each enum, in the document's order. */
export type EnumValues = Record<EnumName, string[]>;

/** Per enum, each retired value and the date (`YYYY-MM-DD`) of the sync that found it gone. */
export type RetiredValues = Partial<Record<EnumName, Record<string, string>>>;

type JsonObject = Record<string, unknown>;

/** The parts of the document the generator reads, once `readEnums` has checked them. */
export type DrataDocument = JsonObject & {
  paths: { '/connections': { get: { parameters: JsonObject[] } } };
  components: { schemas: Record<string, JsonObject> };
};

/** A document or a retired-values file that cannot be used, with a message for a person. */
export class DocumentError extends Error {}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const enumValueName = /^[_A-Za-z][_0-9A-Za-z]*$/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** The text of `path` parsed as JSON, or a `DocumentError` naming the path. */
export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new DocumentError(`cannot read ${what} ${path}: ${reason}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DocumentError(`${what} ${path} is not JSON.`);
  }
}

/** The string values of `schema.enum`, checked to be usable as GraphQL enum values. */
function enumAt(schema: unknown, where: string, source: string): string[] {
  const values = isObject(schema) ? schema['enum'] : undefined;
  if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== 'string')) {
    throw new DocumentError(`${source} has no string enum at ${where}.`);
  }
  const strings = values as string[];
  for (const value of strings) {
    if (!enumValueName.test(value) || ['UNKNOWN', 'true', 'false', 'null'].includes(value)) {
      throw new DocumentError(`${source}: ${where} lists "${value}", which cannot be a GraphQL enum value.`);
    }
  }
  const duplicate = strings.find((value, index) => strings.indexOf(value) !== index);
  if (duplicate !== undefined) throw new DocumentError(`${source}: ${where} lists "${duplicate}" twice.`);
  return strings;
}

/**
 * Checks that `document` is an OpenAPI 3 document with the `GET /connections` operation and every
 * enum the generator mirrors, and returns those enums' values. `source` names the document in errors.
 */
export function readEnums(document: unknown, source: string): { document: DrataDocument; enums: EnumValues } {
  if (
    !isObject(document) ||
    typeof document['openapi'] !== 'string' ||
    !document['openapi'].startsWith('3.')
  ) {
    throw new DocumentError(`${source} is not an OpenAPI 3 document (no "openapi": "3.x" field).`);
  }
  const paths = document['paths'];
  const connections = isObject(paths) ? paths['/connections'] : undefined;
  const get = isObject(connections) ? connections['get'] : undefined;
  if (!isObject(get)) throw new DocumentError(`${source} has no GET /connections operation.`);
  const parameters = get['parameters'];
  if (!Array.isArray(parameters) || !parameters.every(isObject)) {
    throw new DocumentError(`${source}: GET /connections has no list of parameters.`);
  }
  const components = document['components'];
  const schemas = isObject(components) ? components['schemas'] : undefined;
  if (!isObject(schemas) || !Object.values(schemas).every(isObject)) {
    throw new DocumentError(`${source} has no components.schemas.`);
  }
  const item = schemas['ConnectionCompactResponsePublicDto'];
  const properties = isObject(item) ? item['properties'] : undefined;
  if (!isObject(properties)) {
    throw new DocumentError(
      `${source} has no components.schemas.ConnectionCompactResponsePublicDto.properties.`,
    );
  }
  const parameter = (name: string): string[] =>
    enumAt(
      parameters.find((candidate) => candidate['name'] === name)?.['schema'],
      `the "${name}" query parameter of GET /connections`,
      source,
    );
  const enums: EnumValues = {
    DrataProviderType: enumAt(schemas['ProviderTypeEnum'], 'components.schemas.ProviderTypeEnum', source),
    DrataClientType: enumAt(schemas['ClientTypeEnum'], 'components.schemas.ClientTypeEnum', source),
    DrataConnectionState: enumAt(
      properties['state'],
      'components.schemas.ConnectionCompactResponsePublicDto.properties.state',
      source,
    ),
    DrataConnectionSortField: parameter('sort'),
    DrataSortDirection: parameter('sortDir'),
  };
  if (parameter('state').join() !== enums.DrataConnectionState.join()) {
    throw new DocumentError(
      `${source}: the "state" query parameter and the item's "state" list different values.`,
    );
  }
  return { document: document as DrataDocument, enums };
}

/** The retired values in `path`; none when the file is absent. */
export function readRetired(path: string): RetiredValues {
  if (!existsSync(path)) return {};
  const parsed = readJson(path, 'the retired enum values');
  if (!isObject(parsed)) throw new DocumentError(`${path} is not a JSON object of enum names.`);
  const retired: RetiredValues = {};
  for (const [name, values] of Object.entries(parsed)) {
    if (!(enumNames as readonly string[]).includes(name)) {
      throw new DocumentError(`${path}: "${name}" is not one of ${enumNames.join(', ')}.`);
    }
    if (!isObject(values)) throw new DocumentError(`${path}: ${name} is not an object of value → date.`);
    for (const [value, since] of Object.entries(values)) {
      if (!enumValueName.test(value) || value === 'UNKNOWN') {
        throw new DocumentError(`${path}: ${name} lists "${value}", which cannot be a GraphQL enum value.`);
      }
      if (typeof since !== 'string' || !isoDate.test(since)) {
        throw new DocumentError(`${path}: ${name}.${value} is not a date (YYYY-MM-DD).`);
      }
    }
    retired[name as EnumName] = values as Record<string, string>;
  }
  return retired;
}

/** The retired-values file's text: enums in the schema's order, those without retired values left out. */
export function formatRetired(retired: RetiredValues): string {
  const ordered: RetiredValues = {};
  for (const name of enumNames) {
    const values = retired[name];
    if (values && Object.keys(values).length > 0) ordered[name] = values;
  }
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** The document's text as the repository keeps it: two-space JSON, no final newline. */
export const formatDocument = (document: unknown): string => JSON.stringify(document, null, 2);
