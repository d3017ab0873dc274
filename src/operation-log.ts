import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestIdOf, usageOf, type GatewayContext } from './context.js';
import type { Logger } from './logger.js';

/** The longest operation name logged; a longer one is cut (it comes from the caller). */
const maxOperationNameLength = 128;

/** What one operation's log line says. Never a header, a token or a variable value. */
export interface OperationLogLine {
  readonly requestId: string;
  /** The operation's name, or null when anonymous or when the request never named one. */
  readonly operationName: string | null;
  /** `query`, `mutation`, `subscription`, or null when the document did not parse. */
  readonly operationType: string | null;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** From the request's arrival to its answer, in milliseconds. */
  readonly durationMs: number;
  /** Distinct calls to Drata the operation needed (calls it joined included). */
  readonly upstreamCalls: number;
  /** The `extensions.code` of every error in the answer, each once, in order of appearance. */
  readonly errors: readonly string[];
  /** The trace the operation ran in, when tracing is on. */
  readonly traceId?: string;
}

interface Pending {
  readonly startedAt: number;
  operationName: string | null;
  operationType: string | null;
  errors: string[];
}

const codesOf = (results: readonly ExecutionResult[]): string[] => {
  const codes = new Set<string>();
  for (const result of results) {
    for (const error of result.errors ?? []) {
      const code = error.extensions['code'];
      codes.add(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
    }
  }
  return [...codes];
};

/** Names a request's operation from its document, once it has parsed. */
const operationOf = (
  document: DocumentNode,
  operationName: string | null | undefined,
): { type: string | null; name: string | null } => {
  const operation = getOperationAST(document, operationName);
  return { type: operation?.operation ?? null, name: operation?.name?.value ?? null };
};

/**
 * One JSON line at `info` for every GraphQL request that reached the endpoint: its request id,
 * operation, HTTP status, duration, Drata calls, the error codes it answered with, and its trace id
 * when tracing is on. Must run after the plugin that gives errors their codes.
 */
export function useOperationLog(
  logger: Logger,
  options: { readonly endpoint: string; readonly traceIdOf?: (request: Request) => string | undefined },
): Plugin<GatewayContext> {
  const pending = new WeakMap<Request, Pending>();
  return {
    onRequest: ({ request, url }) => {
      if (url.pathname !== options.endpoint) return;
      pending.set(request, {
        startedAt: performance.now(),
        operationName: null,
        operationType: null,
        errors: [],
      });
    },
    onParams: ({ request, params }) => {
      const entry = pending.get(request);
      if (entry && typeof params.operationName === 'string') {
        entry.operationName = params.operationName.slice(0, maxOperationNameLength);
      }
    },
    onValidate: ({ context, params }) => {
      const entry = pending.get(context.request);
      if (!entry) return;
      const { type, name } = operationOf(params.documentAST as DocumentNode, entry.operationName);
      entry.operationType = type;
      if (name !== null) entry.operationName = name.slice(0, maxOperationNameLength);
    },
    onResultProcess: ({ request, result }) => {
      const entry = pending.get(request);
      if (!entry) return;
      if (Array.isArray(result)) entry.errors = codesOf(result as ExecutionResult[]);
      else if (!(Symbol.asyncIterator in result)) entry.errors = codesOf([result]);
    },
    onResponse: ({ request, response }) => {
      // GraphiQL's page and CORS preflights are answered before `onRequest` reaches this plugin.
      const entry = pending.get(request);
      if (!entry) return;
      pending.delete(request);
      const traceId = options.traceIdOf?.(request);
      const line: OperationLogLine = {
        requestId: requestIdOf(request),
        operationName: entry.operationName,
        operationType: entry.operationType,
        status: response.status,
        durationMs: Math.round((performance.now() - entry.startedAt) * 100) / 100,
        upstreamCalls: usageOf(request).upstreamCalls,
        errors: entry.errors,
        ...(traceId !== undefined ? { traceId } : {}),
      };
      logger.info(line, 'operation');
    },
  };
}
