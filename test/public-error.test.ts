import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GatewayError, toPublicError } from '../src/errors.js';

describe('toPublicError', () => {
  it('keeps a gateway error as it is', () => {
    const error = new GatewayError('FORBIDDEN', 'no', { upstreamStatus: 403, requestId: 'r' });
    expect(toPublicError(error)).toBe(error);
  });

  it('masks a field error without a code and drops private extensions', () => {
    const error = new GraphQLError('Int cannot represent non-integer value: 1.5', {
      path: ['connections', 'nodes', 0, 'code'],
      extensions: { originalError: { stack: 'at x.ts:1' }, detail: 'secret' },
    });
    expect(toPublicError(error).toJSON()).toEqual({
      message: 'Unexpected error.',
      path: ['connections', 'nodes', 0, 'code'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('masks a request error without a code that wraps an error GraphQL did not raise', () => {
    const error = new GraphQLError('connect ECONNREFUSED 10.1.2.3:6379 (token abc)', {
      originalError: new Error('connect ECONNREFUSED 10.1.2.3:6379 (token abc)'),
    });
    expect(toPublicError(error).toJSON()).toEqual({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('masks a request error whose cause, however deep, is not a GraphQL error', () => {
    const inner = new GraphQLError('Expected type "DateTime". secret', {
      originalError: new TypeError('secret'),
    });
    const error = new GraphQLError('Variable "$at" got invalid value; secret', { originalError: inner });
    expect(toPublicError(error).toJSON()).toEqual({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps the message of a request error GraphQL raised from a GraphQL error', () => {
    const inner = new GraphQLError('Int cannot represent non-integer value: "x"');
    const error = new GraphQLError(
      'Variable "$p" got invalid value "x"; Int cannot represent non-integer value: "x"',
      {
        originalError: inner,
      },
    );
    expect(toPublicError(error).toJSON()).toEqual({
      message: 'Variable "$p" got invalid value "x"; Int cannot represent non-integer value: "x"',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('names a request error without a code BAD_USER_INPUT', () => {
    expect(toPublicError(new GraphQLError('Variable "$p" got invalid value')).toJSON()).toEqual({
      message: 'Variable "$p" got invalid value',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
