import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphql, startGateway, useDevelopmentAndProduction } from './helpers.js';

const gateways = useDevelopmentAndProduction();

const headers = { authorization: 'Bearer hardening' };
const repeat = (count: number, make: (index: number) => string): string =>
  Array.from({ length: count }, (_, index) => make(index)).join(' ');

/** The whole answer to a document refused by a limit. */
const refused = (message: string) => ({
  errors: [{ message, extensions: { code: 'OPERATION_LIMIT_EXCEEDED' } }],
});

/** A selection `depth` levels deep, from 5: `__schema` is level 1, and each `ofType` one more. */
const nested = (depth: number): string =>
  `{ __schema { queryType { fields { type { ${'ofType { '.repeat(depth - 5)}name${' }'.repeat(depth - 5)} } } } } }`;

describe('document limits, at n and n + 1', () => {
  // Each refused document also asks for connections: a refusal never reaches Drata.
  const withConnections = (body: string): string => `{ connections { total } ${body} }`;

  it.each([
    [
      'aliases',
      30,
      (n: number) => withConnections(repeat(n, (index) => `a${index}: __typename`)),
      'Aliases limit of 30 exceeded, found 31.',
    ],
    [
      'directives',
      20,
      (n: number) => withConnections(repeat(n, () => '__typename @include(if: true)')),
      'Directives limit of 20 exceeded, found 21.',
    ],
    [
      'tokens',
      2000,
      // One provider type repeated: still one call to Drata, and 16 tokens around the list.
      (n: number) =>
        `{ connections(filter: { providerTypes: [${repeat(n - 16, () => 'IDENTITY')}] }) { total } }`,
      'Token limit of 2000 exceeded.',
    ],
  ])('%s: %i passes, one more is refused before any call', async (limit, n, document, found) => {
    const served = await graphql(gateways.development.url, document(n), { headers });
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data).toMatchObject({ connections: { total: 1 } });
    expect(gateways.upstream.requests).toHaveLength(1);
    gateways.upstream.requests.length = 0;
    const answer = await graphql(gateways.development.url, document(n + 1), { headers });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(refused(`The operation is over the ${limit} limit: ${found}`));
    expect(gateways.upstream.requests).toEqual([]);
  });

  it('5,000 aliases of __typename are refused', async () => {
    const answer = await graphql(
      gateways.development.url,
      `{ ${repeat(5000, (index) => `a${index}: __typename`)} }`,
    );
    expect(answer.body).toEqual(
      refused('The operation is over the tokens limit: Token limit of 2000 exceeded.'),
    );
  });

  it('depth: 15 passes, 16 is refused', async () => {
    expect((await graphql(gateways.development.url, nested(15))).body.errors).toBeUndefined();
    expect((await graphql(gateways.development.url, nested(16))).body).toEqual(
      refused('The operation is over the depth limit: Query depth limit of 15 exceeded, found 16.'),
    );
  });

  it('cost: 5000 passes, 5001 is refused', async () => {
    // The token and alias limits raised out of the way: at the root a scalar costs 1.
    await using roomy = await startGateway({
      baseUrl: gateways.upstream.baseUrl,
      hardening: { documentLimits: { maxTokens: 100_000, maxAliases: 100_000 } },
    });
    const aliased = (count: number): string => `{ ${repeat(count, (index) => `a${index}: __typename`)} }`;
    expect((await graphql(roomy.url, aliased(5000))).body.errors).toBeUndefined();
    expect((await graphql(roomy.url, aliased(5001))).body).toEqual(
      refused('The operation is over the cost limit: Query Cost limit of 5000 exceeded, found 5001.'),
    );
  });

  it('a refusal is HTTP 400 under application/graphql-response+json', async () => {
    const response = await fetch(gateways.development.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: `{ ${repeat(31, (index) => `a${index}: __typename`)} }` }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      refused('The operation is over the aliases limit: Aliases limit of 30 exceeded, found 31.'),
    );
  });

  it("GraphiQL's introspection query passes every limit", async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const answer = await graphql(gateways.development.url, query);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['__schema']).toMatchObject({ queryType: { name: 'Query' } });
  });
});

describe('in production', () => {
  it('a refusal names the limit but not its number', async () => {
    expect(
      (await graphql(gateways.production.url, `{ ${repeat(31, (index) => `a${index}: __typename`)} }`)).body,
    ).toEqual(refused("The operation is over this gateway's aliases limit."));
  });

  it.each([
    ['{ __schema { description } }', '__schema'],
    ['{ __type(name: "Query") { name } }', '__type'],
  ])('introspection is off: %s', async (query, field) => {
    expect((await graphql(gateways.production.url, query)).body).toEqual({
      errors: [
        {
          message: `GraphQL introspection has been disabled, but the requested query contained the field "${field}".`,
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });

  it('__typename and _service { sdl } still answer: routers compose from it', async () => {
    const answer = await graphql(gateways.production.url, '{ __typename _service { sdl } }');
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['__typename']).toBe('Query');
    expect((answer.body.data?.['_service'] as { sdl: string }).sdl).toContain('@key(fields: "id")');
  });

  it('INTROSPECTION=true turns it back on', async () => {
    await using open = await startGateway({
      baseUrl: gateways.upstream.baseUrl,
      hardening: { production: true, introspection: true },
    });
    expect((await graphql(open.url, '{ __schema { queryType { name } } }')).body).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
  });

  it('no field suggestions', async () => {
    const error = {
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    };
    expect((await graphql(gateways.production.url, '{ connectionz { total } }')).body).toEqual({
      errors: [{ message: 'Cannot query field "connectionz" on type "Query".', ...error }],
    });
    expect((await graphql(gateways.development.url, '{ connectionz { total } }')).body).toEqual({
      errors: [
        {
          message: 'Cannot query field "connectionz" on type "Query". Did you mean "connections"?',
          ...error,
        },
      ],
    });
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const post = (url: string, origin: string) =>
    fetch(url, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
  const corsHeaders = (response: Response) =>
    Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

  it.each([
    ['development', () => gateways.development.url],
    ['production', () => gateways.production.url],
  ])('is off by default in %s: no origin gets a CORS header', async (_mode, url) => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3000']) {
      expect(corsHeaders(await preflight(url(), origin))).toEqual({});
      expect(corsHeaders(await post(url(), origin))).toEqual({});
    }
  });

  it('CORS_ORIGINS allows exactly the listed origins, with credentials, never *', async () => {
    await using listed = await startGateway({
      baseUrl: gateways.upstream.baseUrl,
      hardening: { corsOrigins: ['https://app.example.com', 'https://admin.example.com'] },
    });
    for (const origin of ['https://app.example.com', 'https://admin.example.com']) {
      const options = await preflight(listed.url, origin);
      expect(corsHeaders(options)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, accept, x-request-id',
      });
      const answer = await post(listed.url, origin);
      expect(corsHeaders(answer)).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
      });
      expect(answer.headers.get('vary')).toContain('Origin');
    }
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'null']) {
      expect(corsHeaders(await preflight(listed.url, origin))).toEqual({});
      const answer = await post(listed.url, origin);
      expect(corsHeaders(answer)).toEqual({});
      expect(answer.headers.get('vary')).toContain('Origin');
    }
  });
});
