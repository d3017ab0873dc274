import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { drataResponseSchema } from '../__generated__/drata-response-schema.js';
import type { ConnectionPageDto, ExceptionDto } from './types.js';

// ajv-formats is CommonJS: its `default` property is the plugin under both Node's ESM and TypeScript.
const addFormats = formatsPlugin.default;

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
addFormats(ajv, ['date-time']);
ajv.addSchema(drataResponseSchema);

function validator<T>(name: string): ValidateFunction<T> {
  const validate = ajv.getSchema<T>(`drata#/$defs/${name}`);
  if (!validate) throw new Error(`Drata's response schema ${name} is missing`);
  return validate;
}

const pageValidator = validator<ConnectionPageDto>('ConnectionsCompactResponsePublicDto');
const exceptionValidator = validator<ExceptionDto>('ExceptionResponseDto');

const describe = (errors: readonly ErrorObject[] | null | undefined): string => {
  const first = errors?.[0];
  return first ? `${first.instancePath || 'the body'} ${first.message ?? 'is invalid'}` : 'invalid';
};

/**
 * Checks a parsed `GET /connections` body against the document's shape (tolerant of unknown enum
 * values and extra fields) and the page arithmetic the gateway relies on. Returns the page, or a
 * short reason naming the first place that is wrong (a path, never a value).
 */
export function checkConnectionPage(body: unknown): ConnectionPageDto | { readonly invalid: string } {
  if (!pageValidator(body)) return { invalid: describe(pageValidator.errors) };
  const { page, limit, total } = body;
  if (!Number.isInteger(page) || page < 1) return { invalid: '/page is not a page number' };
  if (!Number.isInteger(limit) || limit < 1) return { invalid: '/limit is not a page size' };
  if (!Number.isInteger(total) || total < 0) return { invalid: '/total is not a count' };
  // GraphQL's Int is 32-bit: a code outside it could not be served.
  const badCode = body.data.findIndex(
    (item) => item.code !== null && (!Number.isInteger(item.code) || Math.abs(item.code) > 2 ** 31 - 1),
  );
  if (badCode >= 0) return { invalid: `/data/${badCode}/code is not a 32-bit integer` };
  return body;
}

/** Drata's error body when `body` has its shape, else undefined. */
export const asException = (body: unknown): ExceptionDto | undefined =>
  exceptionValidator(body) ? body : undefined;
