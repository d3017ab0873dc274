/**
 * A typed client of the gateway: runs the operations of `operations.ts` through graphql-request and
 * prints what they answer. Every result type flows from its document, and every error's
 * `extensions.code` is read as the schema's `DrataErrorCode`.
 *
 *   npx tsx examples/client/list-connections.ts
 *
 * GATEWAY_URL: the gateway's GraphQL URL (http://127.0.0.1:4000/graphql, as `npm start` serves it).
 * DRATA_TOKEN: the Drata key to send (`sandbox-token`, the embedded sandbox's).
 */
import { ClientError, GraphQLClient } from 'graphql-request';
import { DrataErrorCode } from './gql/enums.js';
import type { DrataProviderType } from './gql/graphql.js';
import { ConnectionCount, MisconfiguredConnections } from './operations.js';

const url = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000/graphql';
const token = process.env['DRATA_TOKEN'] ?? 'sandbox-token';
const client = new GraphQLClient(url, { headers: { authorization: `Bearer ${token}` } });

const errorCodes: ReadonlySet<unknown> = new Set(Object.values(DrataErrorCode));

/** Whether `value` is one of the schema's error codes. */
function isDrataErrorCode(value: unknown): value is DrataErrorCode {
  return errorCodes.has(value);
}

/**
 * What a caller does about an error. The switch covers every `DrataErrorCode`: a code added to the
 * schema fails to compile here until it is handled.
 */
function whatToDo(code: DrataErrorCode): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'send a valid Drata key as "Authorization: Bearer <key>"';
    case 'FORBIDDEN':
      return 'give the key the "Connections: List Connections" permission';
    case 'PAYMENT_REQUIRED':
    case 'TERMS_NOT_ACCEPTED':
      return "enable Drata's API for the account";
    case 'BAD_USER_INPUT':
      return 'fix the arguments or variables';
    case 'RATE_LIMITED':
    case 'UPSTREAM_ERROR':
    case 'UPSTREAM_TIMEOUT':
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_BAD_RESPONSE':
      return 'retry later';
    case 'BAD_REQUEST':
    case 'OPERATION_RESOLUTION_FAILURE':
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'OPERATION_LIMIT_EXCEEDED':
    case 'PERSISTED_QUERY_ID_REQUIRED':
    case 'PERSISTED_QUERY_NOT_FOUND':
      return 'fix the operation';
    case 'SCAN_LIMIT_REACHED':
    case 'INTERNAL_SERVER_ERROR':
      return 'report it to the gateway operator with its requestId';
  }
}

/** Runs `operation`, printing each error of a failed request (with its code) instead of throwing. */
async function orReport(operation: () => Promise<void>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    for (const { message, extensions } of error.response.errors ?? []) {
      const code = extensions['code'];
      if (!isDrataErrorCode(code)) {
        console.log(`  error without a known code: ${message}`);
        continue;
      }
      const retryAfter = extensions['retryAfter'];
      const wait = typeof retryAfter === 'number' ? ` (retry after ${retryAfter} s)` : '';
      console.log(`  ${code}: ${message}${wait}`);
      console.log(`    what to do: ${whatToDo(code)}`);
    }
  }
}

/** A page of misconfigured connections, newest connection first. */
async function misconfigured(limit: number): Promise<void> {
  const { connections } = await client.request(MisconfiguredConnections, { limit });
  if (connections === null) return;
  const more = connections.hasNextPage ? ', more on the next pages' : '';
  console.log(`  ${connections.total} in all; the first ${connections.nodes.length}${more}:`);
  for (const node of connections.nodes) {
    const providers = node.providerTypes
      .map((provider) => `${provider.value}${provider.isEnabled ? '' : ' (disabled)'}`)
      .join(', ');
    const alias = node.clientAlias === null ? '' : ` "${node.clientAlias}"`;
    console.log(`  - #${node.id} ${node.clientType}${alias}`);
    console.log(`      failed at ${node.failedAt ?? 'an unknown time'}, code ${node.code ?? 'none'}`);
    console.log(`      provider types: ${providers === '' ? 'none' : providers}`);
  }
}

/** How many connections serve any of `providerTypes`. */
async function count(providerTypes: DrataProviderType[]): Promise<void> {
  const { connections } = await client.request(ConnectionCount, { filter: { providerTypes } });
  if (connections === null) return;
  console.log(`  ${providerTypes.join(' or ')}: ${connections.total}`);
}

console.log(`Misconfigured connections (${url}):`);
await orReport(() => misconfigured(3));

console.log('Connections by provider type:');
await orReport(() => count(['IDENTITY']));
await orReport(() => count(['INFRASTRUCTURE', 'VERSION_CONTROL']));

console.log('A page larger than 50 is refused:');
await orReport(() => misconfigured(51));

console.log('A request without a key is refused:');
await orReport(async () => {
  const anonymous = new GraphQLClient(url);
  await anonymous.request(ConnectionCount, {});
});
