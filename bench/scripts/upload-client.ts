// Benchmark client, run as its own process so its CPU is not the server's:
// uploads files with tus-js-client (or, for the bare baseline, one plain HTTP
// POST per file), `concurrency` at a time, and prints {ms, bytes, urls}.
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
  /** Bytes per PATCH; 0 = the whole file in one request. */
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

async function rawUpload(input: ClientInput, path: string): Promise<string> {
  const request = http.request(input.endpoint, {
    method: 'POST',
    headers: { 'Content-Length': statSync(path).size, 'Content-Type': 'application/octet-stream' },
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.on('response', resolve);
    request.on('error', reject);
  });
  await pipeline(createReadStream(path), request);
  const response = await answered;
  response.resume();
  if (response.statusCode !== 204) throw new Error(`bare server answered ${response.statusCode}`);
  return input.endpoint;
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
