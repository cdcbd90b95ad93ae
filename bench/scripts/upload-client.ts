// Benchmark client, run as its own process so its CPU is not the server's:
// uploads files with tus-js-client (or, for the bare baseline, plain HTTP
// POSTs: one per file, or one per chunk), `concurrency` at a time, and prints
// {ms, bytes, urls}.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import * as tus from 'tus-js-client';

interface ClientInput {
  mode: 'tus' | 'raw';
  endpoint: string;
  token: string;
  files: string[];
  concurrency: number;
  /** Bytes per PATCH (per POST in raw mode); 0 = the whole file in one request. */
  chunkSize: number;
}

function tusUpload(input: ClientInput, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(createReadStream(path), {
      endpoint: input.endpoint,
      chunkSize: input.chunkSize > 0 ? input.chunkSize : Number.POSITIVE_INFINITY,
      headers: { Authorization: `Bearer ${input.token}` },
      metadata: { filename: 'bench.csv', filetype: 'text/csv' },
      retryDelays: [],
      onSuccess: () => resolve(upload.url ?? ''),
      onError: reject,
    });
    upload.start();
  });
}

/** One plain POST of bytes [start, end) of `path` to `url`; resolves once the bare server answered. */
async function rawRequest(url: string, path: string, start: number, end: number): Promise<void> {
  const request = http.request(url, {
    method: 'POST',
    headers: { 'Content-Length': end - start, 'Content-Type': 'application/octet-stream' },
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.on('response', resolve);
    request.on('error', reject);
  });
  await pipeline(createReadStream(path, { start, end: end - 1 }), request);
  const response = await answered;
  response.resume();
  if (response.statusCode !== 204) throw new Error(`bare server answered ${response.statusCode}`);
}

let rawUploads = 0;

/**
 * The file as one POST, or with a chunk size as tus-js-client sends it: one
 * request per chunk, each after the answer to the one before, on the same
 * keep-alive connection, each body read from the file as it is sent.
 */
async function rawUpload(input: ClientInput, path: string): Promise<string> {
  const size = statSync(path).size;
  if (input.chunkSize <= 0) {
    await rawRequest(input.endpoint, path, 0, size);
    return input.endpoint;
  }
  const url = new URL(`upload-${process.pid}-${rawUploads++}`, input.endpoint);
  for (let offset = 0; offset < size; offset += input.chunkSize) {
    const end = Math.min(size, offset + input.chunkSize);
    url.search = `offset=${offset}${end === size ? '&last=1' : ''}`;
    await rawRequest(url.toString(), path, offset, end);
  }
  return url.origin;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] as string) as ClientInput;
  const queue = [...input.files];
  const urls: string[] = [];
  const bytes = input.files.reduce((sum, path) => sum + statSync(path).size, 0);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, input.concurrency) }, async () => {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        urls.push(await (input.mode === 'tus' ? tusUpload(input, path) : rawUpload(input, path)));
      }
    }),
  );
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, bytes, urls })}\n`);
}

main().catch((error) => {
  process.stderr.write(`upload client failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
