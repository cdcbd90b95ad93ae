// The process logger: pino JSON, one line per event (pretty on a terminal), secrets redacted (the
// Authorization header, and `token` in query strings, which the event stream
// route accepts because EventSource cannot send headers).
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config/config.ts';
import { isTerminal } from './start-up-banner.ts';

const TOKEN_IN_QUERY = /([?&]token=)[^&]*/g;

export function redactUrl(url: string): string {
  return url.replace(TOKEN_IN_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  id?: string;
  ip?: string;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token'], censor: '[redacted]' },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ''), ip: req.ip }),
    },
  };
  if (destination) return pino(options, destination);
  // People read a terminal; machines read JSON from pipes and files.
  if (isTerminal(process.stdout))
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(options);
}
