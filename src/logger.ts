import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type { Logger };

/**
 * The gateway's JSON logger, on standard output unless given another `destination`. Header values are redacted at any depth they could
 * be logged from, as a second guard: the gateway itself never logs a header or a token. `pretty`
 * writes the same lines coloured and aligned for a person at a terminal.
 */
export function createLogger(
  level: LogLevel,
  destination?: DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const options = {
    name: 'drata-graphql-gateway',
    level,
    redact: {
      paths: ['authorization', '*.authorization', 'headers', '*.headers', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  if (format === 'pretty') {
    return pino(
      options,
      PinoPretty({
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        ...(destination ? { destination } : {}),
      }),
    );
  }
  return destination ? pino(options, destination) : pino(options);
}
