import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Trusted documents by id: the operations an Apollo persisted-query manifest lists. */
export type TrustedDocuments = ReadonlyMap<string, string>;

/** A manifest that cannot be used; its message says which file and what is wrong. */
export class TrustedDocumentsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustedDocumentsError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads an Apollo persisted-query manifest
 * (`{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id","name","type","body"}]}`,
 * as Apollo's and The Guild's tooling write it). Throws {@link TrustedDocumentsError} for a file that
 * cannot be read, is not such a manifest, repeats an id, or holds a body that does not parse.
 */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  const fail = (problem: string): never => {
    throw new TrustedDocumentsError(`TRUSTED_DOCUMENTS=${JSON.stringify(path)} cannot be used: ${problem}.`);
  };
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return fail(typeof code === 'string' ? `the file cannot be read (${code})` : 'the file is not JSON');
  }
  if (
    !isRecord(manifest) ||
    manifest['format'] !== 'apollo-persisted-query-manifest' ||
    manifest['version'] !== 1
  ) {
    return fail(
      'it is not an Apollo persisted-query manifest ("format": "apollo-persisted-query-manifest", "version": 1)',
    );
  }
  const operations = manifest['operations'];
  if (!Array.isArray(operations)) return fail('"operations" is not a list');
  const documents = new Map<string, string>();
  operations.forEach((operation: unknown, index) => {
    if (
      !isRecord(operation) ||
      typeof operation['id'] !== 'string' ||
      operation['id'] === '' ||
      typeof operation['body'] !== 'string'
    ) {
      return fail(`operations[${index}] needs a string "id" and a string "body"`);
    }
    const id = operation['id'];
    if (documents.has(id)) return fail(`the id ${JSON.stringify(id)} is listed twice`);
    try {
      parse(operation['body']);
    } catch {
      return fail(`the body of ${JSON.stringify(id)} is not a GraphQL document`);
    }
    documents.set(id, operation['body']);
    return undefined;
  });
  return documents;
}

/** The document id a request names: `documentId` (body or URL), else Apollo's persisted-query hash. */
function documentIdOf(
  params: { readonly extensions?: unknown } & Record<string, unknown>,
  request: Request,
): string | null {
  const given = params['documentId'] ?? new URL(request.url).searchParams.get('documentId');
  const hash =
    isRecord(params.extensions) && isRecord(params.extensions['persistedQuery'])
      ? params.extensions['persistedQuery']['sha256Hash']
      : undefined;
  const id = typeof given === 'string' && given !== '' ? given : typeof hash === 'string' ? hash : null;
  // GraphQL over HTTP ids may carry their hash's name.
  return id?.replace(/^sha256:/, '') ?? null;
}

/** Whether a document only asks what a federation router asks of a subgraph: `_service`, `_entities`. */
function isRouterOperation(query: string): boolean {
  let document: DocumentNode;
  try {
    document = parse(query, { maxLexicalTokens: 2000 });
  } catch {
    return false;
  }
  return document.definitions.every(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.operation === OperationTypeNode.QUERY &&
      definition.selectionSet.selections.every(
        (selection) =>
          selection.kind === Kind.FIELD &&
          ['_service', '_entities', '__typename'].includes(selection.name.value),
      ),
  );
}

const refusal = (code: string, message: string) => ({ message, extensions: { code, http: { status: 400 } } });

/**
 * Runs only `documents`, asked for by id. A document sent in full is refused with
 * `PERSISTED_QUERY_ID_REQUIRED` (unless it asks only what a federation router asks: `_service`,
 * `_entities`), an unknown id with `PERSISTED_QUERY_NOT_FOUND`.
 */
export function useTrustedDocuments(documents: TrustedDocuments): Plugin {
  const routerRequests = new WeakSet<Request>();
  const marker: Plugin = {
    onParams: ({ params, request }) => {
      if (typeof params.query === 'string' && isRouterOperation(params.query)) routerRequests.add(request);
    },
  };
  const persisted = usePersistedOperations({
    getPersistedOperation: (id) => documents.get(id) ?? null,
    extractPersistedOperationId: (params, request) =>
      documentIdOf(params as Record<string, unknown>, request),
    allowArbitraryOperations: (request) => routerRequests.has(request),
    customErrors: {
      persistedQueryOnly: refusal(
        'PERSISTED_QUERY_ID_REQUIRED',
        'This gateway runs trusted documents only: send the document id (documentId, or extensions.persistedQuery.sha256Hash), not the document.',
      ),
      keyNotFound: refusal(
        'PERSISTED_QUERY_ID_REQUIRED',
        'This gateway runs trusted documents only: the request names no document id.',
      ),
      notFound: refusal('PERSISTED_QUERY_NOT_FOUND', 'No trusted document has this id.'),
    },
  });
  return {
    onPluginInit: ({ addPlugin }) => {
      addPlugin(marker);
      addPlugin(persisted as Plugin);
    },
  };
}
