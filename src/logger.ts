import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * The gateway's JSON logger, on standard output unless given another `destination`. Header values are redacted at any depth they could
 * be logged from, as a second guard: the gateway itself never logs a header or a token.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    name: 'drata-graphql-gateway',
    level,
    redact: {
      paths: ['authorization', '*.authorization', 'headers', '*.headers', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
