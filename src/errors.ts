import { GraphQLError } from 'graphql';
import type { DrataErrorCode } from './__generated__/resolvers.js';
import type { ExceptionDto } from './upstream/types.js';

export type { DrataErrorCode };

/** What a gateway error may carry in `extensions`, beside its `code`. */
export interface ErrorDetails {
  /** Drata's HTTP status, where Drata answered. */
  readonly upstreamStatus?: number | undefined;
  /** Drata's numeric error `code` from its error body, when the body has one. */
  readonly upstreamCode?: number | undefined;
  /** Seconds to wait before trying again, when known. */
  readonly retryAfter?: number | undefined;
  /** The `x-request-id` of the call. */
  readonly requestId?: string | undefined;
}

/**
 * A GraphQL error with a stable `extensions.code` from the SDL's `DrataErrorCode`. It is never masked: its
 * message and extensions are meant for callers, so they never hold a token, a URL, a header or a
 * raw upstream body.
 */
export class GatewayError extends GraphQLError {
  readonly code: DrataErrorCode;

  constructor(code: DrataErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, { extensions: { code, ...definedOnly(details) } });
    this.name = 'GatewayError';
    this.code = code;
  }

  /** The same error for another request of the same caller (a shared call's waiter): its own id. */
  forRequest(requestId: string): GatewayError {
    if (this.extensions['requestId'] === requestId) return this;
    return new GatewayError(this.code, this.message, { ...(this.extensions as ErrorDetails), requestId });
  }
}

const definedOnly = (details: ErrorDetails): ErrorDetails =>
  Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));

/** The one table from Drata's HTTP status to an error code. Any status not listed is `UPSTREAM_ERROR`. */
const codeForStatus: Readonly<Record<number, DrataErrorCode>> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  402: 'PAYMENT_REQUIRED',
  403: 'FORBIDDEN',
  412: 'TERMS_NOT_ACCEPTED',
  429: 'RATE_LIMITED',
};

const statusWords: Readonly<Record<DrataErrorCode, string>> = {
  UNAUTHENTICATED: 'Drata did not accept the API key',
  BAD_USER_INPUT: 'Drata rejected the request',
  PAYMENT_REQUIRED: "Drata's plan for this account does not include this feature",
  FORBIDDEN: 'The API key is not allowed to list connections',
  TERMS_NOT_ACCEPTED: "The account must accept Drata's terms and conditions to use the API",
  RATE_LIMITED: "Drata's rate limit was reached",
  UPSTREAM_ERROR: 'Drata answered with an error',
  UPSTREAM_TIMEOUT: 'Drata did not answer in time',
  UPSTREAM_UNAVAILABLE: 'Drata could not be reached',
  UPSTREAM_BAD_RESPONSE: "Drata's answer could not be read",
  BAD_REQUEST: 'The request is not a GraphQL request this server accepts',
  OPERATION_RESOLUTION_FAILURE: 'The operation to execute could not be determined',
  SCAN_LIMIT_REACHED: 'The lookup did not reach this connection',
  OPERATION_LIMIT_EXCEEDED: 'The operation is over a limit of this gateway',
  PERSISTED_QUERY_ID_REQUIRED: 'Only trusted documents run here: send a document id',
  PERSISTED_QUERY_NOT_FOUND: 'No trusted document has this id',
  GRAPHQL_PARSE_FAILED: 'The query could not be parsed',
  GRAPHQL_VALIDATION_FAILED: 'The query does not match the schema',
  INTERNAL_SERVER_ERROR: 'Unexpected error',
};

/** Whether `value` is one of the SDL's `DrataErrorCode`s (a bounded set, fit for a metric's label). */
export const isErrorCode = (value: unknown): value is DrataErrorCode =>
  typeof value === 'string' && Object.hasOwn(statusWords, value);

const maxUpstreamMessage = 300;

/**
 * Drata's own message, made safe to show: only for 4xx answers, only a string, without control
 * characters, cut to a readable length, and with the caller's token removed should Drata echo it.
 */
function safeUpstreamMessage(body: ExceptionDto | undefined, secret: string): string | undefined {
  const message = body?.message;
  if (typeof message !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  let clean = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (secret.length > 0) clean = clean.replaceAll(secret, '[redacted]');
  if (clean.length > maxUpstreamMessage) clean = `${clean.slice(0, maxUpstreamMessage)}…`;
  return clean.length > 0 ? clean : undefined;
}

/** What {@link errorForStatus} needs to know of Drata's answer. */
export interface UpstreamAnswer {
  readonly status: number;
  /** Drata's error body, if it was JSON. */
  readonly body: ExceptionDto | undefined;
  /** Seconds from a `Retry-After` header, if one was readable. */
  readonly retryAfter: number | undefined;
  readonly requestId: string;
  /** The caller's token, so that an echo of it in Drata's message is removed. */
  readonly secret: string;
}

/** The typed error for a non-2xx answer from Drata, by the status table. */
export function errorForStatus(answer: UpstreamAnswer): GatewayError {
  const { status, body, requestId } = answer;
  const code = codeForStatus[status] ?? 'UPSTREAM_ERROR';
  const upstreamMessage =
    status >= 400 && status < 500 ? safeUpstreamMessage(body, answer.secret) : undefined;
  const message = `${statusWords[code]} (HTTP ${status})${upstreamMessage ? `: ${upstreamMessage}` : '.'}`;
  return new GatewayError(code, message, {
    upstreamStatus: status,
    upstreamCode: typeof body?.code === 'number' ? body.code : undefined,
    retryAfter: code === 'RATE_LIMITED' ? answer.retryAfter : undefined,
    requestId,
  });
}

const timeoutCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const badResponseCodes = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_HEADERS_OVERFLOW',
  'HPE_INVALID_CONSTANT',
  'HPE_INVALID_HEADER_TOKEN',
  'HPE_INVALID_STATUS',
  'HPE_INVALID_VERSION',
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'HPE_INVALID_CHUNK_SIZE',
  'HPE_INVALID_CONTENT_LENGTH',
]);

const errorCodeOf = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * The typed error for a failure to get an answer from Drata at all, by the error's `code` (undici's
 * and Node's), never its message. Returns undefined for an error it does not recognise: the caller
 * lets that one be masked.
 */
export function errorForTransport(error: unknown, requestId: string): GatewayError | undefined {
  let code = errorCodeOf(error);
  // A connect failure can arrive wrapped (undici keeps the socket error as the cause).
  if (code === undefined || code === 'UND_ERR_SOCKET') {
    const cause = errorCodeOf((error as { cause?: unknown } | undefined)?.cause);
    if (cause !== undefined) code = cause;
  }
  if (code === undefined) return undefined;
  if (timeoutCodes.has(code)) {
    return upstreamTimeout(requestId);
  }
  if (unavailableCodes.has(code)) {
    return new GatewayError('UPSTREAM_UNAVAILABLE', `${statusWords.UPSTREAM_UNAVAILABLE}.`, {
      requestId,
    });
  }
  if (badResponseCodes.has(code) || code.startsWith('HPE_')) {
    return badResponse('the answer broke the HTTP protocol', requestId);
  }
  return undefined;
}

/**
 * The JSON body of an answer given before GraphQL runs (an HTTP-level refusal): one error with its
 * code, as every other error of the gateway is shaped.
 */
export const refusalBody = (message: string, code: DrataErrorCode): string =>
  JSON.stringify({ errors: [{ message, extensions: { code } }] });

/** `UPSTREAM_TIMEOUT` for a call that ran past its deadline. */
export const upstreamTimeout = (requestId: string): GatewayError =>
  new GatewayError('UPSTREAM_TIMEOUT', `${statusWords.UPSTREAM_TIMEOUT}.`, { requestId });

/** `UPSTREAM_BAD_RESPONSE`, saying in plain words what was wrong (never quoting the body). */
export const badResponse = (reason: string, requestId: string, upstreamStatus?: number): GatewayError =>
  new GatewayError('UPSTREAM_BAD_RESPONSE', `${statusWords.UPSTREAM_BAD_RESPONSE}: ${reason}.`, {
    upstreamStatus,
    requestId,
  });

/** `INTERNAL_SERVER_ERROR` for a failure the gateway cannot name: the details stay in the logs. */
export const unexpected = (requestId: string): GatewayError =>
  new GatewayError('INTERNAL_SERVER_ERROR', `${statusWords.INTERNAL_SERVER_ERROR}.`, { requestId });

/** `UPSTREAM_UNAVAILABLE` for a call whose caller went away before it ended. */
export const cancelled = (requestId: string): GatewayError =>
  new GatewayError('UPSTREAM_UNAVAILABLE', 'The request was cancelled.', { requestId });

/** `BAD_USER_INPUT` for an argument the gateway refuses before calling Drata. */
export const badUserInput = (message: string, requestId: string): GatewayError =>
  new GatewayError('BAD_USER_INPUT', message, { requestId });

/** `UNAUTHENTICATED` for a request whose `Authorization` header cannot be used. */
export const unauthenticated = (reason: string, requestId: string): GatewayError =>
  new GatewayError(
    'UNAUTHENTICATED',
    `${reason}: send your Drata API key as "Authorization: Bearer <key>".`,
    { requestId },
  );

/**
 * Parses a `Retry-After` value (delay seconds or an HTTP date) into whole seconds from `now`.
 * Returns undefined for a missing or unreadable value.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** The extensions a caller may see; anything else a library adds (such as `originalError`) is dropped. */
const publicExtensions = ['code', 'upstreamStatus', 'upstreamCode', 'retryAfter', 'requestId', 'http'];

/**
 * Whether GraphQL itself or the gateway raised `error`: a `GraphQLError` whose causes, if any, are
 * `GraphQLError`s too. An error that wraps anything else (a library's or a runtime's) did not.
 */
function isRaisedByGraphQL(error: GraphQLError): boolean {
  let cause: unknown = error.originalError;
  while (cause !== undefined && cause !== null) {
    if (!(cause instanceof GraphQLError)) return false;
    cause = cause.originalError;
  }
  return true;
}

/** graphql-js's hint at a name the caller may have meant: for fields, arguments, types, enum values. */
const suggestion = / ?Did you mean [^?]*\?/g;

/** GraphQL's refusal of a field's argument, such as an explicit null for a non-null input field. */
const isArgumentError = (error: GraphQLError): boolean =>
  /^Argument "\w+" has invalid value /.test(error.message);

/**
 * The error as a caller may see it: with a `code` and only the public extensions. An error without a
 * code keeps its message only when GraphQL itself raised it outside any field (a variable that does
 * not fit its type: `BAD_USER_INPUT`); anything else is a failure the gateway did not name, masked as
 * `INTERNAL_SERVER_ERROR`. With `withoutSuggestions`, graphql-js's "Did you mean …?" hints (which
 * spell out the schema) are removed from every message. Returns `error` itself when nothing needs to
 * change.
 */
export function toPublicError(
  error: GraphQLError,
  options: { readonly withoutSuggestions?: boolean } = {},
): GraphQLError {
  const given = error.extensions['code'];
  const keys = Object.keys(error.extensions);
  let message = options.withoutSuggestions === true ? error.message.replace(suggestion, '') : error.message;
  if (
    typeof given === 'string' &&
    message === error.message &&
    keys.every((key) => publicExtensions.includes(key))
  ) {
    return error;
  }
  let code = typeof given === 'string' ? given : undefined;
  if (
    code === undefined &&
    isRaisedByGraphQL(error) &&
    (error.path === undefined || isArgumentError(error))
  ) {
    code = 'BAD_USER_INPUT';
  }
  if (code === undefined) {
    code = 'INTERNAL_SERVER_ERROR';
    message = `${statusWords.INTERNAL_SERVER_ERROR}.`;
  }
  const extensions = Object.fromEntries(
    Object.entries(error.extensions).filter(([key]) => publicExtensions.includes(key)),
  );
  // yoga answers a request error with HTTP 200 to `application/json` clients unless it carries a
  // non-GraphQL `originalError`. That one is dropped here, so the error's own status is made to stand.
  const http = extensions['http'];
  if ('originalError' in error.extensions && typeof http === 'object' && http !== null) {
    const { status, headers } = http as { status?: number; headers?: Record<string, string> };
    extensions['http'] = { status, headers };
  }
  return new GraphQLError(message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions: { ...extensions, code },
  });
}
