import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Kind, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { useDevelopmentAndProduction, type RunningGateway } from './helpers.js';

const token = 'attacker-secret-token-123';
const authorization = `Bearer ${token}`;

/** The values of the SDL's `enum DrataErrorCode`: the only codes a caller may ever see. */
const errorCodes = parse(
  readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8'),
).definitions.flatMap((definition) =>
  definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'DrataErrorCode'
    ? (definition.values ?? []).map((value) => value.name.value)
    : [],
);

/** The extensions a caller may see (README, "Errors"). */
const publicExtensions = ['code', 'upstreamStatus', 'upstreamCode', 'retryAfter', 'requestId'];

/** Where the gateway's code lives: no answer may name it. */
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

const bodyLimit = 256 * 1024;

const gateways = useDevelopmentAndProduction();

/** An HTTP request exactly as an attacker writes it; `Authorization` is always the attacker's token. */
interface RawRequest {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** What came back, read as text whatever its type. */
interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/** Sends `request` on a fresh connection (a refusal may close it) and reads the whole answer. */
function send(gateway: RunningGateway, request: RawRequest): Promise<Answer> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: request.path,
        method: request.method,
        headers: { authorization, ...request.headers },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

const post = (
  body: string | Buffer,
  contentType?: string,
  headers: Record<string, string> = {},
): RawRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers },
  body,
});
const postJson = (body: unknown, headers: Record<string, string> = {}): RawRequest =>
  post(JSON.stringify(body), 'application/json', headers);
const operation = (query: string, extra: Record<string, unknown> = {}): RawRequest =>
  postJson({ query, ...extra });
const get = (params: Record<string, string>): RawRequest => ({
  method: 'GET',
  path: `/graphql?${new URLSearchParams(params).toString()}`,
  headers: {},
});

/** A JSON answer's body. */
interface Body {
  readonly data?: unknown;
  readonly errors?: readonly { readonly message: string; readonly extensions: Record<string, unknown> }[];
}

/** Lines of a stack trace, or paths to the code: none may reach a caller. */
const leaks = [/^\s+at \S/m, /\bfile:\/\//, /node_modules/, /\.[cm]?[jt]s:\d+/];

/**
 * What holds for every answer to anything: no 5xx; JSON (except the HTTP server's own documented
 * 431, whose body is empty); every error coded with a `DrataErrorCode`, with public extensions only, and no
 * stack trace, path or token in it; the token nowhere in the answer. Returns the body, if JSON.
 */
function assertSafe(answer: Answer): Body | undefined {
  expect(answer.status).toBeLessThan(500);
  expect(answer.text).not.toContain(token);
  expect(answer.text).not.toContain(repositoryRoot);
  if (answer.status === 431) {
    expect(answer.text).toBe('');
    return undefined;
  }
  expect(answer.contentType).toEqual(
    expect.stringMatching(/^application\/(?:graphql-response\+)?json; charset=utf-8$/),
  );
  const parsed: unknown = JSON.parse(answer.text);
  expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
  const body = parsed as Body;
  expect('data' in body || 'errors' in body).toBe(true);
  for (const each of body.errors ?? []) {
    expect(errorCodes).toContain(each.extensions['code']);
    expect(publicExtensions).toEqual(expect.arrayContaining(Object.keys(each.extensions)));
    for (const leak of leaks) expect(each.message).not.toMatch(leak);
  }
  return body;
}

/** Sends `request` to a gateway and checks that the log lines it caused hold no token. */
async function attack(gateway: RunningGateway, request: RawRequest): Promise<Answer> {
  const logged = gateway.logs.length;
  const answer = await send(gateway, request);
  expect(gateway.logs.slice(logged).join('\n')).not.toContain(token);
  return answer;
}

const repeat = (count: number, make: (index: number) => string): string =>
  Array.from({ length: count }, (_, index) => make(index)).join(' ');

/** The 1-based columns at which `word` starts in a one-line document. */
const columnsOf = (document: string, word: string): number[] =>
  [...document.matchAll(new RegExp(`\\b${word}\\b`, 'g'))].map((match) => match.index + 1);

type Located = { readonly line: number; readonly column: number }[];
const error = (message: string, code: string, locations?: Located) => ({
  message,
  ...(locations === undefined ? {} : { locations }),
  extensions: { code },
});
const at = (...columns: number[]): Located => columns.map((column) => ({ line: 1, column }));

/** The whole answer expected, or a check of it where only the contract is fixed. */
type Expected =
  | { readonly status: number; readonly body: unknown }
  | ((answer: Answer & { body: Body | undefined }) => void);

interface Attack {
  readonly name: string;
  readonly request: RawRequest;
  readonly development: Expected;
  /** Unset: as in development. */
  readonly production?: Expected;
  /** Calls Drata receives from each gateway: none unless the document is served. */
  readonly drataCalls?: number;
}

/**
 * A document refused by a limit: the count in development, the limit's name only in production,
 * then whatever graphql's own validation found beside it.
 */
const overLimit = (
  limit: string,
  found: string,
  following: readonly ReturnType<typeof error>[] = [],
): Pick<Attack, 'development' | 'production'> => ({
  development: {
    status: 200,
    body: {
      errors: [
        error(`The operation is over the ${limit} limit: ${found}`, 'OPERATION_LIMIT_EXCEEDED'),
        ...following,
      ],
    },
  },
  production: {
    status: 200,
    body: {
      errors: [
        error(`The operation is over this gateway's ${limit} limit.`, 'OPERATION_LIMIT_EXCEEDED'),
        ...following,
      ],
    },
  },
});

/** graphql-js stops validating at its 100th error (the limit's refusal is the first): 99 more, then a last word. */
const untilValidationAborts = (errors: readonly ReturnType<typeof error>[]) => [
  ...errors.slice(0, 99),
  error('Too many validation errors, error limit reached. Validation aborted.', 'GRAPHQL_VALIDATION_FAILED'),
];

const badRequest = (status: number, message: string) => ({
  status,
  body: { errors: [error(message, 'BAD_REQUEST')] },
});

const anyMessage: unknown = expect.any(String);

/** A request that is not a GraphQL request this server accepts: refused as such, never executed. */
const refusedAsBadRequest: Expected = (answer) => {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.body).toEqual({ errors: [{ message: anyMessage, extensions: { code: 'BAD_REQUEST' } }] });
};

/** The caller's own mistake, named as such: not masked as a failure inside the gateway. */
const refusedAsBadUserInput: Expected = (answer) => {
  expect(answer.body?.errors?.map((each) => each.extensions['code'])).toEqual(['BAD_USER_INPUT']);
};

const deepIntrospection = `{ __schema { types { ${'ofType { '.repeat(50)}name${' }'.repeat(50)} } } }`;
const introspectionOff = (document: string, fields: readonly string[]) =>
  fields.flatMap((field) =>
    columnsOf(document, field).map((column) =>
      error(
        `GraphQL introspection has been disabled, but the requested query contained the field "${field}".`,
        'GRAPHQL_VALIDATION_FAILED',
        at(column),
      ),
    ),
  );
const typeIntrospection = '{ __type(name: "DrataPageInput") { inputFields { name } } }';
const schemaIntrospection = '{ __schema { queryType { name } } }';

const unknownDirectives = `{ __typename ${repeat(300, () => '@aa')} }`;
const includes = `{ connections ${repeat(250, () => '@include(if: true)')} { total } }`;
const [firstInclude = 0, ...laterIncludes] = columnsOf(includes, 'include').map((column) => column - 1);

/** 20 levels of fragments, each spreading the next twice: a million fields from 300 tokens. */
const fragmentBomb = `{ ...F0 } ${repeat(20, (index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`)} fragment F20 on Query { connections { total } }`;

const filterQuery = 'query ($f: DrataConnectionFilter) { connections(filter: $f) { total } }';
const pageQuery = 'query ($p: Int!) { connections(page: { page: $p }) { total } }';
const hugeString = 'x'.repeat(200 * 1024);
const manyInts = Array.from({ length: 100_000 }, (_, index) => index % 10);
const nestedObject = (depth: number): unknown => (depth === 0 ? 1 : { a: nestedObject(depth - 1) });

/** A body of exactly `size` bytes: a valid operation padded with a string variable. */
const paddedBody = (size: number): string => {
  const empty = JSON.stringify({ query: '{ connections { total } }', variables: { pad: '' } });
  return JSON.stringify({
    query: '{ connections { total } }',
    variables: { pad: 'x'.repeat(size - empty.length) },
  });
};

const multipartBody = [
  '--boundary',
  'Content-Disposition: form-data; name="operations"',
  '',
  JSON.stringify({ query: '{ connections { total } }' }),
  '--boundary--',
  '',
].join('\r\n');

const served = { status: 200, body: { data: { connections: { total: 1 } } } };
const typenameServed = { status: 200, body: { data: { __typename: 'Query' } } };
const invalidJson = badRequest(400, 'POST body sent invalid JSON.');

const attacks: Attack[] = [
  {
    name: 'alias overloading: 300 aliases of connections',
    request: operation(`{ ${repeat(300, (index) => `a${index}: connections { total }`)} }`),
    ...overLimit('aliases', 'Aliases limit of 30 exceeded, found 300.'),
  },
  {
    name: 'alias overloading: 600 aliases of __typename',
    request: operation(`{ ${repeat(600, (index) => `a${index}: __typename`)} }`),
    ...overLimit('aliases', 'Aliases limit of 30 exceeded, found 600.'),
  },
  {
    name: 'batch overloading: a JSON array of two operations',
    request: postJson([{ query: '{ connections { total } }' }, { query: '{ connections { total } }' }]),
    development: badRequest(400, 'Batching is not supported.'),
  },
  {
    name: 'batch overloading: a JSON array of 1,000 operations',
    request: postJson(
      Array.from({ length: 1000 }, (_, index) => ({ query: `{ a${index}: connections { total } }` })),
    ),
    development: badRequest(400, 'Batching is not supported.'),
  },
  {
    name: 'directive overloading: 250 @include(if: true) on one field',
    request: operation(includes),
    ...overLimit(
      'directives',
      'Directives limit of 20 exceeded, found 250.',
      untilValidationAborts(
        laterIncludes.map((column) =>
          error(
            'The directive "@include" can only be used once at this location.',
            'GRAPHQL_VALIDATION_FAILED',
            at(firstInclude, column),
          ),
        ),
      ),
    ),
  },
  {
    name: 'directive overloading: an unknown directive 300 times',
    request: operation(unknownDirectives),
    ...overLimit(
      'directives',
      'Directives limit of 20 exceeded, found 300.',
      untilValidationAborts(
        columnsOf(unknownDirectives, 'aa').map((column) =>
          error('Unknown directive "@aa".', 'GRAPHQL_VALIDATION_FAILED', at(column - 1)),
        ),
      ),
    ),
  },
  {
    name: 'circular fragments: A spreads B, B spreads A',
    request: operation('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'),
    development: {
      status: 200,
      body: {
        errors: [
          error('Cannot spread fragment "A" within itself via "B".', 'GRAPHQL_VALIDATION_FAILED', at(38, 67)),
        ],
      },
    },
  },
  {
    name: 'circular fragments: A spreads itself',
    request: operation('{ ...A } fragment A on Query { connections { total } ...A }'),
    development: {
      status: 200,
      body: {
        errors: [error('Cannot spread fragment "A" within itself.', 'GRAPHQL_VALIDATION_FAILED', at(54))],
      },
    },
  },
  {
    name: 'fragment bomb: 20 levels of fragments, each spread twice',
    request: operation(fragmentBomb),
    ...overLimit('cost', 'Query Cost limit of 5000 exceeded, found 150934936653757.7.'),
  },
  {
    name: 'deep nesting: introspection ofType 50 deep',
    request: operation(deepIntrospection),
    development: overLimit('depth', 'Query depth limit of 15 exceeded, found 53.').development,
    production: {
      status: 200,
      body: {
        errors: [
          error("The operation is over this gateway's depth limit.", 'OPERATION_LIMIT_EXCEEDED'),
          ...introspectionOff(deepIntrospection, ['__schema', 'types', 'ofType']),
        ],
      },
    },
  },
  {
    name: 'field duplication: __typename 5,000 times',
    request: operation(`{ ${repeat(5000, () => '__typename')} }`),
    ...overLimit('tokens', 'Token limit of 2000 exceeded.'),
  },
  {
    name: 'field duplication: __typename 1,000 times, within the token limit',
    request: operation(`{ ${repeat(1000, () => '__typename')} connections { total } }`),
    development: {
      status: 200,
      body: { errors: [error('Validation aborted.', 'GRAPHQL_VALIDATION_FAILED')] },
    },
  },
  {
    name: 'introspection: __schema',
    request: operation(schemaIntrospection),
    development: { status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } },
    production: {
      status: 200,
      body: { errors: introspectionOff(schemaIntrospection, ['__schema', 'queryType']) },
    },
  },
  {
    name: 'introspection: __type',
    request: operation(typeIntrospection),
    development: {
      status: 200,
      body: { data: { __type: { inputFields: [{ name: 'page' }, { name: 'limit' }] } } },
    },
    production: {
      status: 200,
      body: { errors: introspectionOff(typeIntrospection, ['__type', 'inputFields']) },
    },
  },
  ...(
    [
      [
        'a field',
        '{ connectionz { total } }',
        'Cannot query field "connectionz" on type "Query".',
        ' Did you mean "connections"?',
        3,
      ],
      [
        'an argument',
        '{ connections(filtr: {}) { total } }',
        'Unknown argument "filtr" on field "Query.connections".',
        ' Did you mean "filter"?',
        15,
      ],
      [
        'a type',
        'query ($f: DrataConnectionFiltr) { connections(filter: $f) { total } }',
        'Unknown type "DrataConnectionFiltr".',
        ' Did you mean "DrataConnectionFilter", "DrataConnectionSort", "DrataConnectionState", "DrataConnection", or "DrataConnectionPage"?',
        12,
      ],
      [
        'an input field',
        '{ connections(filter: { stat: ACTIVE }) { total } }',
        'Field "stat" is not defined by type "DrataConnectionFilter".',
        ' Did you mean "state"?',
        25,
      ],
      [
        'an enum value',
        '{ connections(filter: { state: ACTIV }) { total } }',
        'Value "ACTIV" does not exist in "DrataConnectionState" enum.',
        ' Did you mean the enum value "ACTIVE"?',
        32,
      ],
    ] as const
  ).map(([what, query, message, suggestion, column]): Attack => ({
    name: `"Did you mean": a misspelt ${what}`,
    request: operation(query),
    development: {
      status: 200,
      body: { errors: [error(message + suggestion, 'GRAPHQL_VALIDATION_FAILED', at(column))] },
    },
    production: { status: 200, body: { errors: [error(message, 'GRAPHQL_VALIDATION_FAILED', at(column))] } },
  })),
  ...(
    [
      [
        'input field',
        { stat: 'ACTIVE' },
        'Variable "$f" got invalid value { stat: "ACTIVE" }; Field "stat" is not defined by type "DrataConnectionFilter".',
        ' Did you mean "state"?',
      ],
      [
        'enum value',
        { state: 'ACTIV' },
        'Variable "$f" got invalid value "ACTIV" at "f.state"; Value "ACTIV" does not exist in "DrataConnectionState" enum.',
        ' Did you mean the enum value "ACTIVE"?',
      ],
    ] as const
  ).map(([what, filter, message, suggestion]): Attack => ({
    name: `"Did you mean": a misspelt ${what} in a variable`,
    request: operation(filterQuery, { variables: { f: filter } }),
    development: { status: 400, body: { errors: [error(message + suggestion, 'BAD_USER_INPUT', at(8))] } },
    production: { status: 400, body: { errors: [error(message, 'BAD_USER_INPUT', at(8))] } },
  })),
  {
    name: 'GET: a query is served',
    request: get({ query: '{ connections { total } }' }),
    development: served,
    drataCalls: 1,
  },
  {
    name: 'GET: a mutation is refused (there are no mutations, and none may come by GET)',
    request: get({ query: 'mutation { connections { total } }' }),
    development: badRequest(405, 'Can only perform a mutation operation from a POST request.'),
  },
  {
    name: 'POST: a mutation is refused: the schema has none',
    request: operation('mutation { connections { total } }'),
    development: {
      status: 200,
      body: {
        errors: [error('Schema is not configured to execute mutation operation.', 'BAD_USER_INPUT', at(1))],
        data: null,
      },
    },
  },
  {
    name: 'GET: variables that are not JSON',
    request: get({ query: '{ connections { total } }', variables: '{' }),
    development: refusedAsBadRequest,
  },
  {
    name: 'GET: a URL past the 16 KiB head limit is HTTP 431',
    request: get({ query: `{ connections { total } } #${'x'.repeat(17 * 1024)}` }),
    development: { status: 431, body: undefined },
  },
  {
    name: 'form POST: application/x-www-form-urlencoded',
    request: post(
      `query=${encodeURIComponent('{ connections { total } }')}`,
      'application/x-www-form-urlencoded',
    ),
    development: refusedAsBadRequest,
  },
  {
    name: 'form POST: multipart/form-data',
    request: post(multipartBody, 'multipart/form-data; boundary=boundary'),
    development: refusedAsBadRequest,
  },
  {
    name: 'form POST: text/plain',
    request: post(JSON.stringify({ query: '{ connections { total } }' }), 'text/plain'),
    development: refusedAsBadRequest,
  },
  {
    name: 'malformed body: no content-type',
    request: post(JSON.stringify({ query: '{ connections { total } }' })),
    development: refusedAsBadRequest,
  },
  {
    name: 'malformed body: invalid JSON',
    request: post('{"query": "{ connections', 'application/json'),
    development: invalidJson,
  },
  {
    name: 'malformed body: JSON null',
    request: post('null', 'application/json'),
    development: badRequest(400, 'POST body is expected to be object but received null'),
  },
  {
    name: 'malformed body: a number',
    request: post('5', 'application/json'),
    development: badRequest(400, 'POST body is expected to be object but received number'),
  },
  {
    name: 'malformed body: an array of numbers',
    request: post('[1, 2, 3]', 'application/json'),
    development: badRequest(400, 'Batching is not supported.'),
  },
  {
    name: 'malformed body: a query that is a number',
    request: post('{"query": 5}', 'application/json'),
    development: badRequest(400, 'Expected "query" param to be a string, but given number.'),
  },
  {
    name: 'malformed body: a query that does not parse',
    request: post('{"query": "{"}', 'application/json'),
    development: {
      status: 200,
      body: { errors: [error('Syntax Error: Expected Name, found <EOF>.', 'GRAPHQL_PARSE_FAILED', at(2))] },
    },
  },
  {
    name: 'malformed body: variables that are a string, and no query',
    request: post('{"variables": "x"}', 'application/json'),
    development: badRequest(200, 'Must provide query string.'),
  },
  {
    name: 'malformed body: variables that are a string',
    request: post('{"query": "{ connections { total } }", "variables": "x"}', 'application/json'),
    development: badRequest(400, 'Expected "variables" param to be empty or an object, but given string.'),
  },
  {
    name: 'malformed body: an unexpected __proto__ parameter',
    request: post(
      '{"query": "{ __typename }", "__proto__": {"query": "{ connections { total } }"}}',
      'application/json',
    ),
    development: badRequest(400, 'Unexpected parameter "__proto__" in the request body.'),
  },
  {
    name: 'malformed body: a byte order mark',
    request: post(`\uFEFF${JSON.stringify({ query: '{ connections { total } }' })}`, 'application/json'),
    development: invalidJson,
  },
  {
    name: 'malformed body: invalid UTF-8 bytes around the JSON',
    request: post(
      Buffer.concat([
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from(JSON.stringify({ query: '{ __typename }' })),
      ]),
      'application/json',
    ),
    development: invalidJson,
  },
  {
    name: 'malformed body: invalid UTF-8 bytes inside the query (read as U+FFFD in a comment)',
    request: post(
      Buffer.concat([
        Buffer.from('{"query": "{ __typename } #'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}'),
      ]),
      'application/json',
    ),
    development: typenameServed,
  },
  {
    name: 'malformed body: empty',
    request: post('', 'application/json'),
    development: invalidJson,
  },
  {
    name: 'huge variables: a 200 KiB string where an Int goes',
    request: operation(pageQuery, { variables: { p: hugeString } }),
    development: {
      status: 400,
      body: {
        errors: [
          error(
            `Variable "$p" got invalid value "${hugeString}"; Int cannot represent non-integer value: "${hugeString}"`,
            'BAD_USER_INPUT',
            at(8),
          ),
        ],
      },
    },
  },
  {
    name: 'huge variables: a list of 100,000 ints where an Int goes',
    request: operation(pageQuery, { variables: { p: manyInts } }),
    development: {
      status: 400,
      body: {
        errors: [
          error(
            `Variable "$p" got invalid value [${manyInts.join(', ')}]; Int cannot represent non-integer value: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... 99990 more items]`,
            'BAD_USER_INPUT',
            at(8),
          ),
        ],
      },
    },
  },
  {
    name: 'huge variables: objects nested 1,000 deep where a filter goes',
    request: operation(filterQuery, { variables: { f: nestedObject(1000) } }),
    development: {
      status: 400,
      body: {
        errors: [
          error(
            'Variable "$f" got invalid value { a: { a: { a: [Object] } } }; Field "a" is not defined by type "DrataConnectionFilter".',
            'BAD_USER_INPUT',
            at(8),
          ),
        ],
      },
    },
  },
  {
    name: 'huge variables: arrays nested 100,000 deep in an undeclared variable',
    request: post(
      `{"query": "{ __typename }", "variables": {"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
      'application/json',
    ),
    development: typenameServed,
  },
  {
    name: 'huge variables: a body one byte past MAX_REQUEST_BYTES is HTTP 413',
    request: post(paddedBody(bodyLimit + 1), 'application/json'),
    development: {
      status: 413,
      body: {
        errors: [
          error(
            'The request body is larger than 262144 bytes (MAX_REQUEST_BYTES).',
            'OPERATION_LIMIT_EXCEEDED',
          ),
        ],
      },
    },
  },
  {
    name: 'an explicit null variable where a non-null input field has a default',
    request: operation('query ($limit: Int) { connections(page: { limit: $limit }) { total } }', {
      variables: { limit: null },
    }),
    development: refusedAsBadUserInput,
  },
  ...(
    [
      ['an empty representation', '{}'],
      ['a representation of an unknown type', '{ __typename: "Nope", id: 1 }'],
      ['a representation without an id', '{ __typename: "DrataConnection" }'],
    ] as const
  ).map(([what, representation]): Attack => ({
    name: `entities: ${what}`,
    request: operation(`{ _entities(representations: [${representation}]) { __typename } }`),
    development: refusedAsBadUserInput,
  })),
  {
    name: 'an Accept header the gateway cannot answer in: refused before any call',
    request: postJson({ query: '{ connections { total } }' }, { accept: 'application/xml' }),
    development: (answer) => {
      expect(answer.status).toBe(406);
      refusedAsBadRequest(answer);
    },
  },
];

describe('an attacker against both gateways', () => {
  it("the codes a caller may see are exactly the SDL's DrataErrorCode, yoga's request-error codes among them", () => {
    expect(errorCodes).toEqual([
      'UNAUTHENTICATED',
      'BAD_USER_INPUT',
      'PAYMENT_REQUIRED',
      'FORBIDDEN',
      'TERMS_NOT_ACCEPTED',
      'RATE_LIMITED',
      'UPSTREAM_ERROR',
      'UPSTREAM_TIMEOUT',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_BAD_RESPONSE',
      'BAD_REQUEST',
      'OPERATION_RESOLUTION_FAILURE',
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'SCAN_LIMIT_REACHED',
      'OPERATION_LIMIT_EXCEEDED',
      'PERSISTED_QUERY_ID_REQUIRED',
      'PERSISTED_QUERY_NOT_FOUND',
      'INTERNAL_SERVER_ERROR',
    ]);
  });

  it.each(attacks)(
    '$name',
    async ({ request, development: inDevelopment, production: inProduction, drataCalls }) => {
      for (const [gateway, expected] of [
        [gateways.development, inDevelopment],
        [gateways.production, inProduction ?? inDevelopment],
      ] as const) {
        gateways.upstream.requests.length = 0;
        const answer = await attack(gateway, request);
        expect(gateways.upstream.requests).toHaveLength(drataCalls ?? 0);
        const body = assertSafe(answer);
        if (typeof expected === 'function') expected({ ...answer, body });
        else expect({ status: answer.status, body }).toEqual(expected);
      }
    },
  );

  it("a list variable of 10,000 bad items is given up on at graphql-js's bound of 50 errors", async () => {
    // Each bad item makes one GraphQLError, and each error captures a stack: counting the captures counts
    // the work one request makes the gateway do, however fast the machine.
    const captures = vi.spyOn(Error, 'captureStackTrace');
    try {
      for (const gateway of [gateways.development, gateways.production]) {
        captures.mockClear();
        const answer = await attack(
          gateway,
          operation(
            'query ($p: [DrataProviderType!]) { connections(filter: { providerTypes: $p }) { total } }',
            {
              variables: { p: Array.from({ length: 10_000 }, (_, index) => index) },
            },
          ),
        );
        const body = assertSafe(answer);
        expect(answer.status).toBe(400);
        expect(body?.errors).toHaveLength(51);
        expect(body?.errors?.at(-1)).toEqual(
          error(
            'Too many errors processing variables, error limit reached. Execution aborted.',
            'BAD_USER_INPUT',
          ),
        );
        expect(captures.mock.calls.length).toBeLessThan(1000);
      }
    } finally {
      captures.mockRestore();
    }
    expect(gateways.upstream.requests).toEqual([]);
  });

  describe('fuzzing', () => {
    const fieldNames = [
      'connections',
      '__typename',
      '_service',
      '_entities',
      'nodes',
      'total',
      'page',
      'limit',
      'totalPages',
      'hasNextPage',
      'id',
      'clientType',
      'state',
      'providerTypes',
      'value',
      'sdl',
      '__schema',
      '__type',
      'name',
      'ofType',
    ];
    const argumentNames = [
      'filter',
      'sort',
      'page',
      'limit',
      'state',
      'providerTypes',
      'field',
      'direction',
      'representations',
      'name',
      'if',
      'id',
      '__typename',
    ];
    const variableNames = ['v0', 'v1', 'v2'];
    const fragmentNames = ['F0', 'F1'];
    const name = (known: readonly string[]) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...known) },
        fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,5}$/),
      );
    const typeName = fc.constantFrom(
      'Int',
      'Int!',
      'String',
      'Boolean!',
      'ID',
      'Float',
      '[Int]',
      'DrataProviderType',
      '[DrataProviderType!]',
      'DrataConnectionState',
      'DrataConnectionFilter',
      'DrataConnectionSort',
      'DrataPageInput!',
      '_Any',
      '[_Any!]!',
      'Query',
      'Nope',
    );
    const typeCondition = fc.constantFrom(
      'Query',
      'DrataConnectionPage',
      'DrataConnection',
      '_Service',
      'Nope',
    );

    /** GraphQL literals of every kind, variables among them. */
    const { value } = fc.letrec<{ value: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', maxDepth: 3, depthIdentifier: 'value' },
        fc.integer().map(String),
        fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((number) => JSON.stringify(number)),
        fc.string({ maxLength: 12 }).map((text) => JSON.stringify(text)),
        fc.constantFrom(
          'true',
          'false',
          'null',
          'ACTIVE',
          'IDENTITY',
          'UNKNOWN',
          'DESC',
          'CREATED_AT',
          'OKTA',
        ),
        fc.constantFrom(...variableNames, 'nope').map((variable) => `$${variable}`),
        fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
        fc
          .array(fc.tuple(name(argumentNames), tie('value')), { maxLength: 3 })
          .map((fields) => `{ ${fields.map(([key, item]) => `${key}: ${item}`).join(', ')} }`),
      ),
    }));
    const argumentsOf = fc
      .array(fc.tuple(name(argumentNames), value), { maxLength: 3 })
      .map((pairs) =>
        pairs.length === 0 ? '' : `(${pairs.map(([key, item]) => `${key}: ${item}`).join(', ')})`,
      );
    const directives = fc
      .array(fc.tuple(name(['include', 'skip', 'deprecated', 'key', 'defer', 'specifiedBy']), argumentsOf), {
        maxLength: 2,
      })
      .map((list) => list.map(([directive, args]) => ` @${directive}${args}`).join(''));

    /** Selections: fields with aliases, arguments and directives, fragment spreads and inline fragments. */
    const { selectionSet } = fc.letrec<{ selection: string; selectionSet: string }>((tie) => ({
      selection: fc.oneof(
        { depthSize: 'small', maxDepth: 3, depthIdentifier: 'selection' },
        fc
          .tuple(
            fc.option(name(['a', 'b', 'connections']), { nil: '' }),
            name(fieldNames),
            argumentsOf,
            directives,
          )
          .map(([alias, field, args, marks]) => `${alias === '' ? '' : `${alias}: `}${field}${args}${marks}`),
        fc
          .tuple(
            fc.option(name(['a', 'b']), { nil: '' }),
            name(fieldNames),
            argumentsOf,
            directives,
            tie('selectionSet'),
          )
          .map(
            ([alias, field, args, marks, set]) =>
              `${alias === '' ? '' : `${alias}: `}${field}${args}${marks} ${set}`,
          ),
        fc.tuple(name(fragmentNames), directives).map(([fragment, marks]) => `...${fragment}${marks}`),
        fc
          .tuple(fc.option(typeCondition, { nil: '' }), directives, tie('selectionSet'))
          .map(([type, marks, set]) => `...${type === '' ? '' : ` on ${type}`}${marks} ${set}`),
      ),
      selectionSet: fc
        .array(tie('selection'), { minLength: 1, maxLength: 4 })
        .map((selections) => `{ ${selections.join(' ')} }`),
    }));
    const variableDefinitions = fc
      .array(fc.tuple(fc.constantFrom(...variableNames), typeName, fc.option(value, { nil: '' })), {
        maxLength: 3,
      })
      .map((definitions) =>
        definitions.length === 0
          ? ''
          : `(${definitions.map(([variable, type, fallback]) => `$${variable}: ${type}${fallback === '' ? '' : ` = ${fallback}`}`).join(', ')})`,
      );
    const document = fc
      .tuple(
        fc.constantFrom('', 'query', 'query Q', 'query Q2', 'mutation', 'subscription'),
        variableDefinitions,
        directives,
        selectionSet,
        fc.array(fc.tuple(name(fragmentNames), typeCondition, directives, selectionSet), { maxLength: 2 }),
      )
      .map(([keyword, definitions, marks, set, fragments]) => {
        const head = keyword === '' && (definitions !== '' || marks !== '') ? 'query' : keyword;
        const fragmentText = fragments.map(
          ([fragment, type, fragmentMarks, fragmentSet]) =>
            `fragment ${fragment} on ${type}${fragmentMarks} ${fragmentSet}`,
        );
        return [`${head}${definitions}${marks} ${set}`, ...fragmentText].join('\n');
      });
    const looseRequest = fc.record(
      {
        query: document,
        variables: fc.dictionary(fc.constantFrom(...variableNames, 'x'), fc.jsonValue({ maxDepth: 3 }), {
          maxKeys: 4,
        }),
        operationName: fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          fc.constantFrom('Q', 'Q2', 'Nope'),
        ),
      },
      { requiredKeys: ['query', 'operationName'] },
    );

    /** Each argument well typed five times in six, anything the rest of the time. */
    const typedOr = (typed: fc.Arbitrary<string>) => fc.oneof({ weight: 5, arbitrary: typed }, value);
    const typedOrJson = (typed: fc.Arbitrary<fc.JsonValue>) =>
      fc.oneof({ weight: 5, arbitrary: typed }, fc.jsonValue({ maxDepth: 3 }));
    const enumValue = (values: readonly string[]) => fc.constantFrom(...values);
    const providerTypes = ['IDENTITY', 'VERSION_CONTROL', 'INFRASTRUCTURE', 'HRIS', 'UNKNOWN'];
    const states = ['ACTIVE', 'MISCONFIGURED', 'IN_PROGRESS', 'UNKNOWN'];
    const connectionArguments = fc
      .record(
        {
          filter: typedOr(
            fc
              .tuple(fc.array(enumValue(providerTypes), { maxLength: 3 }), enumValue(states))
              .map(([types, state]) => `{ providerTypes: [${types.join(', ')}], state: ${state} }`),
          ),
          sort: typedOr(
            fc
              .tuple(
                enumValue(['CREATED_AT', 'CONNECTED_AT', 'CONNECTION_STATE']),
                enumValue(['ASC', 'DESC']),
              )
              .map(([field, direction]) => `{ field: ${field}, direction: ${direction} }`),
          ),
          page: typedOr(
            fc
              .tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 60 }))
              .map(([number, size]) => `{ page: ${number}, limit: ${size} }`),
          ),
        },
        { requiredKeys: [] },
      )
      .map((args) => {
        const pairs = Object.entries(args).map(([key, item]) => `${key}: ${item}`);
        return pairs.length === 0 ? '' : `(${pairs.join(', ')})`;
      });
    const pageFields = fc
      .subarray([
        'total',
        'page',
        'limit',
        'totalPages',
        'hasNextPage',
        'hasPreviousPage',
        '__typename',
        'nodes { id clientType clientTypeRaw state connected connectedAt providerTypes { value isEnabled } }',
      ])
      .map((fields) => (fields.length === 0 ? '__typename' : fields.join(' ')));
    const conditions = fc
      .subarray(['include', 'skip'])
      .chain((list) =>
        fc
          .tuple(
            ...list.map((directive) =>
              fc.constantFrom('true', 'false', '$v3').map((condition) => ` @${directive}(if: ${condition})`),
            ),
          )
          .map((marks) => marks.join('')),
      );
    /** A selection under a unique alias, so that no two fields conflict. */
    const typedSelection = (alias: string) =>
      fc.oneof(
        fc.constant(`${alias}: __typename`),
        fc
          .tuple(connectionArguments, conditions, pageFields)
          .map(([args, marks, fields]) => `${alias}: connections${args}${marks} { ${fields} }`),
        fc.constant(`${alias}: _service { sdl }`),
        typedOr(
          fc.constantFrom(
            '[{ __typename: "DrataConnection", id: "7" }]',
            '[{ __typename: "DrataConnection", id: 8 }]',
          ),
        ).map(
          (representations) =>
            `${alias}: _entities(representations: ${representations}) { ... on DrataConnection { id state } }`,
        ),
        fc
          .tuple(conditions, pageFields)
          .map(([marks, fields]) => `... on Query${marks} { ${alias}: connections { ${fields} } }`),
      );
    /** An operation that uses every variable it declares, so that most of these pass validation. */
    const typedRequest = fc
      .tuple(
        fc
          .integer({ min: 1, max: 12 })
          .chain((count) =>
            fc.tuple(...Array.from({ length: count }, (_, index) => typedSelection(`s${index}`))),
          ),
        pageFields,
        fc.record(
          {
            v0: typedOrJson(fc.integer({ min: -1, max: 4 })),
            v1: typedOrJson(fc.integer({ min: -1, max: 60 })),
            v2: typedOrJson(
              fc
                .tuple(fc.subarray(providerTypes), enumValue(states))
                .map(([types, state]) => ({ providerTypes: types, state })),
            ),
            v3: typedOrJson(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
        fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.constantFrom('Q', 'Nope')),
      )
      .map(([selections, fragmentFields, variables, chosen]) => ({
        query: [
          'query Q($v0: Int = 1, $v1: Int, $v2: DrataConnectionFilter, $v3: Boolean = true) {',
          `  used: connections(page: { page: $v0, limit: $v1 }, filter: $v2) @include(if: $v3) { total }`,
          '  ...F0',
          ...selections.map((selection) => `  ${selection}`),
          '}',
          `fragment F0 on Query { fragment: connections { ${fragmentFields} } }`,
        ].join('\n'),
        variables,
        ...(chosen === undefined ? {} : { operationName: chosen }),
      }));

    /** What holds for any answer to a fuzzed request, beside {@link assertSafe}. */
    const assertFuzzed = (answer: Answer): void => {
      const body = assertSafe(answer);
      // A request refused before it runs (no `data`) cost Drata nothing; one that ran, at most its share.
      if (body !== undefined && !('data' in body)) expect(gateways.upstream.requests).toEqual([]);
      expect(gateways.upstream.requests.length).toBeLessThanOrEqual(50);
    };

    it("random documents of the schema's vocabulary, with random variables", async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(looseRequest, typedRequest), async (body) => {
          for (const gateway of [gateways.development, gateways.production]) {
            gateways.upstream.requests.length = 0;
            assertFuzzed(await attack(gateway, postJson(body)));
          }
        }),
        { numRuns: 800 },
      );
    }, 60_000);

    it('random strings as the query, the body, the bytes of the body and GET parameters', async () => {
      const request = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 40 }).map((query) => postJson({ query })),
        fc.string({ unit: 'binary', maxLength: 40 }).map((body) => post(body, 'application/json')),
        fc.uint8Array({ maxLength: 40 }).map((bytes) => post(Buffer.from(bytes), 'application/json')),
        fc.jsonValue({ maxDepth: 3 }).map((body) => postJson(body)),
        fc.string({ unit: 'binary', maxLength: 40 }).map((body) => post(body, 'application/graphql')),
        fc
          .tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }))
          .map(([query, values]) => get({ query, variables: values })),
      );
      await fc.assert(
        fc.asyncProperty(request, async (sent) => {
          for (const gateway of [gateways.development, gateways.production]) {
            gateways.upstream.requests.length = 0;
            assertFuzzed(await attack(gateway, sent));
          }
        }),
        { numRuns: 1200 },
      );
    }, 60_000);
  });

  describe('after the battery', () => {
    it.each([
      ['development', () => gateways.development],
      ['production', () => gateways.production],
    ])(
      'the %s gateway still serves a normal query, with the token sent to Drata only',
      async (_mode, gateway) => {
        gateways.upstream.requests.length = 0;
        const answer = await attack(
          gateway(),
          operation('{ connections { total nodes { id clientType clientAlias } } }'),
        );
        expect(answer.status).toBe(200);
        expect(assertSafe(answer)).toEqual({
          data: {
            connections: {
              total: 1,
              nodes: [{ id: '7', clientType: 'OKTA', clientAlias: 'My-connection-alias-1' }],
            },
          },
        });
        expect(
          gateways.upstream.requests.map(({ method, url, headers }) => [
            method,
            url,
            headers['authorization'],
          ]),
        ).toEqual([['GET', '/public/connections?page=1&limit=20', authorization]]);
      },
    );

    it('no line either gateway logged holds the token', () => {
      expect(gateways.development.logs.length).toBeGreaterThan(0);
      expect(gateways.production.logs.length).toBeGreaterThan(0);
      expect(
        [...gateways.development.logs, ...gateways.production.logs].filter((line) => line.includes(token)),
      ).toEqual([]);
    });
  });
});
