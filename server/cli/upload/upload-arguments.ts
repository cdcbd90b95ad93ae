// `pnpm cli upload` arguments: parsed and checked before any network traffic,
// so every mistake is a usage error (exit code 2) with a message saying which.
import { parseArgs } from 'node:util';
import { UsageError } from '../usage-error.ts';

export const UPLOAD_USAGE = `usage: pnpm cli upload <file...> [options]
  --server URL         service to upload to (env UPLOAD_SERVER; default http://127.0.0.1:3000)
  --token TOKEN        API token (env UPLOAD_TOKEN; on a local server, DATA_DIR/dev-token)
  --chunk-size SIZE    bytes per PATCH request, e.g. 8M (default: the server's CHUNK_SIZE)
  --parallel N         files uploaded at once (default 2)
  --meta key=value     extra upload metadata (delimiter, header, encoding…); repeatable
  --mapping FILE.json  column mapping, sent as the "mapping" metadata
  --no-wait            return once the bytes are in, without waiting for the imports
  --review             hold each file for review (metadata review=true): the import starts only when
                       its columns are settled in the web UI or by POST /api/uploads/:id/import
  --no-checksum        send no Upload-Checksum (default: on each chunk when the server offers it)
  --json               one JSON result per line on stdout instead of the table
  --quiet              no progress or notes on stderr
`;

export const DEFAULT_SERVER = 'http://127.0.0.1:3000';

export interface UploadArguments {
  files: string[];
  /** Normalised: no trailing slash. */
  server: string;
  token: string | undefined;
  chunkSize: number | undefined;
  parallel: number;
  metadata: Record<string, string>;
  mappingFile: string | undefined;
  wait: boolean;
  /** Held for review: no import until POST /api/uploads/:id/import (so nothing to wait for). */
  review: boolean;
  /** Checksum every chunk when the server offers it. */
  checksum: boolean;
  json: boolean;
  quiet: boolean;
}

const SIZE_SUFFIX: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `1048576`, `512k`, `8M`, `8MiB`, `1G`: binary multiples, as chunk sizes usually are. */
export function parseByteSize(text: string): number {
  const match = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  const multiplier = match ? SIZE_SUFFIX[(match[2] ?? '').toLowerCase()] : undefined;
  const value = match && multiplier ? Number(match[1]) * multiplier : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--chunk-size must be a positive number of bytes (e.g. 8M), not "${text}"`);
  }
  return value;
}

function parseServer(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server must be an http(s) URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server must be an http(s) URL, not "${text}"`);
  }
  return url.href.replace(/\/+$/, '');
}

function parseMetadata(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    const key = pair.slice(0, separator);
    // tus metadata keys travel unencoded in a header: no spaces or commas.
    if (separator <= 0 || !/^[A-Za-z0-9_.-]+$/.test(key)) {
      throw new UsageError(`--meta must be key=value with a key of letters, digits, "_", "." or "-", not "${pair}"`);
    }
    metadata[key] = pair.slice(separator + 1);
  }
  return metadata;
}

export function parseUploadArguments(args: string[], env: Record<string, string | undefined>): UploadArguments {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${UPLOAD_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError(`no files to upload\n${UPLOAD_USAGE}`);
  const parallel = Number(values.parallel ?? '2');
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) {
    throw new UsageError(`--parallel must be a whole number from 1 to 64, not "${values.parallel}"`);
  }
  const metadata = parseMetadata(values.meta ?? []);
  if (values.mapping !== undefined && metadata.mapping !== undefined) {
    throw new UsageError('give the mapping either with --mapping or with --meta mapping=…, not both');
  }
  const review = values.review ?? false;
  if (review && metadata.review !== undefined) {
    throw new UsageError('give review either with --review or with --meta review=…, not both');
  }
  if (review) metadata.review = 'true';
  return {
    files: positionals,
    server: parseServer(values.server ?? env.UPLOAD_SERVER ?? DEFAULT_SERVER),
    token: values.token ?? (env.UPLOAD_TOKEN || undefined),
    chunkSize: values['chunk-size'] === undefined ? undefined : parseByteSize(values['chunk-size']),
    parallel,
    metadata,
    mappingFile: values.mapping,
    // A held upload has no import to wait for until someone starts it.
    wait: !values['no-wait'] && metadata.review?.trim().toLowerCase() !== 'true',
    review: metadata.review?.trim().toLowerCase() === 'true',
    checksum: !values['no-checksum'],
    json: values.json ?? false,
    quiet: values.quiet ?? false,
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      'chunk-size': { type: 'string' },
      parallel: { type: 'string' },
      meta: { type: 'string', multiple: true },
      mapping: { type: 'string' },
      'no-wait': { type: 'boolean' },
      review: { type: 'boolean' },
      'no-checksum': { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
  });
}
