import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  OperationTypeNode,
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryConnectionSummaryArgs, QueryConnectionsArgs } from './__generated__/resolvers.js';
import type { GatewayContext } from './context.js';
import { toConnectionsRequest, toListFilter } from './resolvers/Query/connections.js';
import { listPageQuery } from './upstream/list-reader.js';
import { connectionsQuery } from './upstream/query.js';

/**
 * How many distinct calls to Drata one operation may make through `connections` fields and the first
 * pages of its `connectionSummary` fields.
 */
export const defaultMaxUpstreamCallsPerOperation = 10;

/**
 * The distinct `GET /connections` requests an operation's `connections` fields need, and the first
 * page (`limit=50`) of each `connectionSummary` field's list, reached through
 * aliases, fragments and inline fragments, with its variables applied and `@skip`/`@include`
 * honoured, keyed by the normalized query the per-request loader uses (so equal fields count once).
 * A field whose arguments the resolver would refuse makes no call and is not counted; nor is
 * anything when the operation or its variables do not resolve (execution refuses those itself).
 *
 * A summary's first page is the one call it always makes, and the same request as a
 * `connections(filter: …, page: { limit: 50 })` field, so the two count once. The pages after it are
 * not known before the first answers: the list reader's page cap (`DRATA_LIST_MAX_PAGES`) bounds them.
 */
export function upstreamCallsOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Readonly<Record<string, unknown>> | null | undefined,
): Set<string> {
  const calls = new Set<string>();
  const operation = getOperationAST(document, operationName);
  const fields = schema.getQueryType()?.getFields();
  const field = fields?.['connections'];
  const summaryField = fields?.['connectionSummary'];
  if (operation?.operation !== OperationTypeNode.QUERY || field === undefined) return calls;
  // graphql-js's own bound on errors: a list of 100,000 bad items is given up on, not reported whole.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {}, {
    maxErrors: 50,
  });
  if (coerced.errors !== undefined) return calls;
  const variables = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const included = (node: SelectionNode): boolean =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.['if'] !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.['if'] !== false;
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          visit(fragment.selectionSet);
        }
      } else if (selection.name.value === 'connections') {
        try {
          const args = getArgumentValues(field, selection, variables) as QueryConnectionsArgs;
          calls.add(connectionsQuery(toConnectionsRequest(args, '')));
        } catch {
          // Refused by its resolver before any call: it costs Drata nothing.
        }
      } else if (selection.name.value === 'connectionSummary' && summaryField !== undefined) {
        try {
          const args = getArgumentValues(summaryField, selection, variables) as QueryConnectionSummaryArgs;
          calls.add(listPageQuery(toListFilter(args.filter, ''), 1));
        } catch {
          // Refused by its resolver before any call: it costs Drata nothing.
        }
      }
    }
  };
  visit(operation.selectionSet);
  return calls;
}

/**
 * Refuses, before any call to Drata, an operation whose `connections` fields and summaries' first
 * pages need more than `limit` distinct calls: `OPERATION_LIMIT_EXCEEDED` (HTTP 400), naming the
 * limit and the count.
 */
export function useUpstreamBudget(limit: number): Plugin<GatewayContext> {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const { schema, document, operationName, variableValues } = args as ExecutionArgs;
      const count = upstreamCallsOf(schema, document, operationName, variableValues).size;
      if (count <= limit) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            `The operation needs ${count} calls to Drata; one operation may make at most ${limit} (MAX_UPSTREAM_CALLS_PER_OPERATION).`,
            {
              extensions: {
                code: 'OPERATION_LIMIT_EXCEEDED',
                requestId: args.contextValue.requestId,
                http: { status: 400 },
              },
            },
          ),
        ],
      });
    },
  };
}
