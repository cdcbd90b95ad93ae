// Diagnosis, not a benchmark: where the time of a chunked upload goes. Sends
// one file in `chunk`-sized requests to the service (tus-js-client) and the
// same slices as plain POSTs, one after another on one keep-alive connection,
// to the bare sink; prints per-request start and end (ms from the start of the
// upload) and the gaps between a response and the next request.
//   node --import tsx bench/scripts/chunk-timeline.ts <tus endpoint> <bare url> <file> <chunk bytes> <token>
import { execFileSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import * as tus from 'tus-js-client';

const [endpoint, bareUrl, path, chunkText, token] = process.argv.slice(2) as [string, string, string, string, string];
const chunk = Number(chunkText);
const size = statSync(path).size;

interface Span {
  start: number;
  end: number;
}

function summary(label: string, spans: Span[], total: number): void {
  const durations = spans.map((s) => s.end - s.start);
  const gaps = spans.slice(1).map((s, i) => s.start - (spans[i] as Span).end);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');
  process.stdout.write(
    `${label}: total ${total.toFixed(0)} ms, ${(size / 1e6 / (total / 1000)).toFixed(1)} MB/s, ${spans.length} requests\n` +
      `  request ms (sum ${sum(durations).toFixed(0)}): ${fmt(durations)}\n` +
      `  gap ms after a response (sum ${sum(gaps).toFixed(1)}): ${fmt(gaps)}\n`,
  );
}

function tusTimeline(): Promise<{ spans: Span[]; total: number }> {
  const spans: Span[] = [];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(path), {
      endpoint,
      chunkSize: chunk > 0 ? chunk : Number.POSITIVE_INFINITY,
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'timeline.csv', filetype: 'text/csv' },
      retryDelays: [],
      onBeforeRequest: (request) => {
        if (request.getMethod() === 'PATCH') spans.push({ start: performance.now() - t0, end: 0 });
      },
      onAfterResponse: (request) => {
        if (request.getMethod() === 'PATCH') (spans.at(-1) as Span).end = performance.now() - t0;
      },
      onSuccess: () => resolve({ spans, total: performance.now() - t0 }),
      onError: reject,
    });
    upload.start();
  });
}

async function bareTimeline(): Promise<{ spans: Span[]; total: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const spans: Span[] = [];
  const t0 = performance.now();
  const step = chunk > 0 ? chunk : size;
  for (let offset = 0; offset < size; offset += step) {
    const end = Math.min(size, offset + step);
    const start = performance.now() - t0;
    await new Promise<void>((resolve, reject) => {
      const request = http.request(bareUrl, {
        method: 'POST',
        agent,
        headers: { 'Content-Length': end - offset, 'Content-Type': 'application/octet-stream' },
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve());
      });
      request.on('error', reject);
      createReadStream(path, { start: offset, end: end - 1 }).pipe(request);
    });
    spans.push({ start, end: performance.now() - t0 });
  }
  agent.destroy();
  return { spans, total: performance.now() - t0 };
}

const bare = await bareTimeline();
summary(`bare sink, ${chunk || 'whole'}-byte requests`, bare.spans, bare.total);
// Nothing of the bare run left to write back while the service receives.
execFileSync('sync');
const service = await tusTimeline();
summary(`service (tus-js-client), ${chunk || 'whole'}-byte chunks`, service.spans, service.total);
