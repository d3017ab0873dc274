import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The limits on a GraphQL document, checked before it runs. */
export interface DocumentLimits {
  /** Aliases in one operation (fragments counted where they are spread). */
  readonly maxAliases: number;
  /** Nesting depth of one operation's selections (introspection included). */
  readonly maxDepth: number;
  /** Directives in one operation. */
  readonly maxDirectives: number;
  /** Tokens in one document. */
  readonly maxTokens: number;
  /** The cost of one operation: objects 2, scalars 1, times 1.5 per level of depth. */
  readonly maxCost: number;
}

/**
 * Tuned to this schema: its deepest real operation (a page of connections with every field and
 * their provider types) is 4 levels deep and costs under 200; GraphiQL's introspection query is 13
 * levels deep and 183 tokens. Each limit leaves a wide margin above what a real client sends, and
 * none lets a document amplify itself: ten distinct `connections` calls are the most one operation
 * can make anyway (see `MAX_UPSTREAM_CALLS_PER_OPERATION`).
 */
export const defaultDocumentLimits: DocumentLimits = {
  maxAliases: 30,
  maxDepth: 15,
  maxDirectives: 20,
  maxTokens: 2000,
  maxCost: 5000,
};

/** `OPERATION_LIMIT_EXCEEDED` for a document over `limit`, with the count when limits are exposed. */
function overLimit(limit: string, detail: GraphQLError, exposeLimits: boolean): GraphQLError {
  const found = detail.message.replace(/^Syntax Error: /, '');
  return new GraphQLError(
    exposeLimits
      ? `The operation is over the ${limit} limit: ${found}`
      : `The operation is over this gateway's ${limit} limit.`,
    { extensions: { code: 'OPERATION_LIMIT_EXCEEDED', http: { status: 400 } } },
  );
}

/**
 * The document limits as yoga plugins (graphql-armor's), each refusal an `OPERATION_LIMIT_EXCEEDED`
 * naming the limit, with its number and the count only when `exposeLimits` (off in production).
 */
export function useDocumentLimits(
  limits: DocumentLimits,
  options: { readonly exposeLimits: boolean },
): Plugin[] {
  const { exposeLimits } = options;
  const refuse =
    (limit: string) =>
    (context: ValidationContext | null, error: GraphQLError): void => {
      const refusal = overLimit(limit, error, exposeLimits);
      // The token limit is checked while parsing, where there is no context: its refusal is thrown.
      if (context === null) throw refusal;
      context.reportError(refusal);
    };
  const common = (limit: string) => ({
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [refuse(limit)],
  });
  return [
    maxTokensPlugin({ n: limits.maxTokens, ...common('tokens') }),
    // Aliases of `__typename` count too: thousands of them are as costly to answer as any.
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [], ...common('aliases') }),
    maxDepthPlugin({
      n: limits.maxDepth,
      ignoreIntrospection: false,
      flattenFragments: true,
      ...common('depth'),
    }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...common('directives') }),
    // Introspection's cost is fixed by the schema, not by the caller (its depth and size still count).
    costLimitPlugin({ maxCost: limits.maxCost, ignoreIntrospection: true, ...common('cost') }),
  ] as Plugin[];
}
