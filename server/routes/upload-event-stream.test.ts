// The event stream's own rules over a real loopback HTTP server: only changes
// are sent, heartbeats keep an idle stream alive, a final state ends it, and a
// client that hangs up stops the polling.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadView } from '../uploads/upload-view.ts';
import { streamUploadEvents, type UploadEventStreamOptions } from './upload-event-stream.ts';

function view(overrides: Partial<UploadView> = {}): UploadView {
  return {
    id: 'a'.repeat(32),
    filename: 'data.csv',
    filetype: 'text/csv',
    size: 100,
    offset: 0,
    state: 'uploading',
    sha256: null,
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    awaitingReview: false,
    job: null,
    ...overrides,
  };
}

let server: http.Server | undefined;

async function serve(options: Omit<UploadEventStreamOptions, 'onError'>): Promise<string> {
  server = http.createServer((_request, response) => {
    streamUploadEvents(response, { ...options, onError: () => {} });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Reads until the server ends the stream, `until` holds for what arrived, or `timeoutMs` passes. */
async function read(url: string, timeoutMs: number, until?: (text: string) => boolean) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(url, { signal: controller.signal });
  let text = '';
  try {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
      if (until?.(text)) {
        controller.abort();
        return { text, ended: false };
      }
    }
    return { text, ended: true };
  } catch {
    return { text, ended: false };
  } finally {
    clearTimeout(timer);
  }
}

const heartbeats = (text: string) => text.split('\n').filter((line) => line === ': heartbeat').length;

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

describe('streamUploadEvents', () => {
  it('sends a view only when it changed, and comment heartbeats in between', async () => {
    let calls = 0;
    const url = await serve({
      load: async () => view({ offset: ++calls >= 5 ? 50 : 0 }),
      pollIntervalMs: 10,
      heartbeatMs: 40,
    });
    const { text, ended } = await read(url, 10_000, (t) => t.includes('"offset":50') && heartbeats(t) >= 3);
    expect(ended).toBe(false);
    const data = text.split('\n').filter((line) => line.startsWith('data: '));
    expect(data.map((line) => (JSON.parse(line.slice(6)) as UploadView).offset)).toEqual([0, 50]);
    expect(heartbeats(text)).toBeGreaterThanOrEqual(3);
    expect(calls).toBeGreaterThan(5);
  });

  it('ends the stream once a final state was sent', async () => {
    const states = ['running', 'running', 'succeeded'] as const;
    let calls = 0;
    const url = await serve({
      load: async () => {
        const state = states[Math.min(calls++, states.length - 1)] ?? 'succeeded';
        return view({ state: 'processing', job: { state, attempts: 1, maxAttempts: 5 } as UploadView['job'] });
      },
      pollIntervalMs: 10,
      heartbeatMs: 10_000,
    });
    const { text, ended } = await read(url, 5000);
    expect(ended).toBe(true);
    const jobs = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => (JSON.parse(line.slice(6)) as UploadView).job?.state);
    expect(jobs).toEqual(['running', 'succeeded']);
    expect(calls).toBe(3);
  });

  it('stops polling when the client hangs up', async () => {
    let calls = 0;
    const url = await serve({
      load: async () => {
        calls++;
        return view();
      },
      pollIntervalMs: 10,
      // Frequent heartbeats let the reader look at `calls` often.
      heartbeatMs: 20,
    });
    await read(url, 10_000, () => calls > 3);
    await new Promise((r) => setTimeout(r, 100));
    const afterHangUp = calls;
    await new Promise((r) => setTimeout(r, 200));
    expect(afterHangUp).toBeGreaterThan(3);
    expect(calls).toBe(afterHangUp);
  });
});
