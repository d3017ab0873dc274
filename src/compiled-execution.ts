import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.js';

/** How many times a document runs through graphql-js before it is compiled. */
export const compileAfterRuns = 2;

/** What compiled execution has done so far. */
export interface ExecutionStats {
  /** Documents (per operation) compiled. */
  compiled: number;
  /** Runs answered by compiled code. */
  compiledRuns: number;
  /** Compiled runs with an error, answered again by graphql-js. */
  fallbacks: number;
}

interface Seen {
  runs: number;
  /** By operation name (`''` for none): the compiled query, or null when it cannot be compiled. */
  readonly compiled: Map<string, CompiledQuery | null>;
}

/** The document compiled, or null when graphql-jit cannot compile it (graphql-js runs it then). */
function compile(args: ExecutionArgs): CompiledQuery | null {
  try {
    const result = compileQuery(args.schema, args.document, args.operationName ?? undefined);
    return isCompiledQuery(result) ? result : null;
  } catch {
    return null;
  }
}

/**
 * Runs documents that come back often as compiled code (graphql-jit), and everything else, and every
 * answer with an error, through graphql-js as before: when a compiled run has any error it is run
 * again by graphql-js on the same context, whose per-request loaders already hold Drata's answers
 * (no second call), so errors keep graphql-js's exact shape (locations, paths, extensions).
 *
 * Compiling costs more than one run, so a document is compiled on its `compileAfterRuns`-th run; the
 * count lives on the parsed document, which yoga's parse cache bounds (a flood of distinct
 * documents compiles nothing).
 */
export function useCompiledExecution(
  stats: ExecutionStats = { compiled: 0, compiledRuns: 0, fallbacks: 0 },
): Plugin<GatewayContext> {
  const seen = new WeakMap<DocumentNode, Seen>();
  const compiledFor = (args: ExecutionArgs): CompiledQuery | null => {
    let entry = seen.get(args.document);
    if (!entry) {
      entry = { runs: 0, compiled: new Map() };
      seen.set(args.document, entry);
    }
    entry.runs += 1;
    if (entry.runs < compileAfterRuns) return null;
    const name = args.operationName ?? '';
    let compiled = entry.compiled.get(name);
    if (compiled === undefined) {
      compiled = compile(args);
      if (compiled) stats.compiled += 1;
      entry.compiled.set(name, compiled);
    }
    return compiled;
  };
  return {
    onExecute: ({ executeFn, setExecuteFn }) => {
      setExecuteFn(async (args: ExecutionArgs) => {
        const compiled = compiledFor(args);
        if (!compiled) return executeFn(args) as Promise<ExecutionResult>;
        const result = await compiled.query(args.rootValue, args.contextValue, args.variableValues);
        if (result.errors?.length) {
          stats.fallbacks += 1;
          return executeFn(args) as Promise<ExecutionResult>;
        }
        stats.compiledRuns += 1;
        return result;
      });
    },
  };
}
