// The process logger: pino JSON with secrets redacted.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/config.ts';

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token'], censor: '[redacted]' },
  });
}
