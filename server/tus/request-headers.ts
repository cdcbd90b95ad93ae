// Rewrites a header of a Node request before @tus/server reads it. srvx reads
// both `headers` and `rawHeaders`, so both are changed together.
import type { IncomingMessage } from 'node:http';

export function setRequestHeader(raw: IncomingMessage, name: string, value: string | null): void {
  const lower = name.toLowerCase();
  const kept: string[] = [];
  for (let i = 0; i < raw.rawHeaders.length; i += 2) {
    const key = raw.rawHeaders[i] as string;
    if (key.toLowerCase() !== lower) kept.push(key, raw.rawHeaders[i + 1] as string);
  }
  if (value === null) {
    delete raw.headers[lower];
  } else {
    raw.headers[lower] = value;
    kept.push(name, value);
  }
  raw.rawHeaders.splice(0, raw.rawHeaders.length, ...kept);
}

/** The single value of a request header (Node joins repeated ones), or undefined. */
export function requestHeader(raw: IncomingMessage, name: string): string | undefined {
  const value = raw.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
