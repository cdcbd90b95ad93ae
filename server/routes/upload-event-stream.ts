// One Server-Sent Events stream of an upload's view: polls the database, sends
// the object whenever it changed, keeps proxies awake with comment heartbeats,
// and ends once the import reached a final state and that state was sent.
import type { ServerResponse } from 'node:http';
import type { UploadView } from '../uploads/upload-view.ts';

export interface UploadEventStreamOptions {
  /** The upload's current view, or undefined once it no longer exists. */
  load(): Promise<UploadView | undefined>;
  /** How often the database is asked for changes. */
  pollIntervalMs: number;
  /** A comment line this often, so idle proxies and browsers keep the connection. */
  heartbeatMs: number;
  onError(error: unknown): void;
}

const FINAL_JOB_STATES = new Set(['succeeded', 'failed', 'cancelled']);

/** Nothing more will change without someone acting (retry re-opens the import). */
export function isFinalView(view: UploadView): boolean {
  return view.state === 'expired' || FINAL_JOB_STATES.has(view.job?.state ?? '');
}

export interface UploadEventStream {
  /** Resolves when the stream ended, for whatever reason. */
  ended: Promise<void>;
  close(): void;
}

export function streamUploadEvents(response: ServerResponse, options: UploadEventStreamOptions): UploadEventStream {
  let closed = false;
  let poll: NodeJS.Timeout | undefined;
  let lastSent = '';
  let resolveEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });

  const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), options.heartbeatMs);
  function close(): void {
    if (closed) return;
    closed = true;
    clearTimeout(poll);
    clearInterval(heartbeat);
    if (!response.writableEnded) response.end();
    resolveEnded();
  }
  // The client hung up (or the response ended): stop polling for it.
  response.on('close', close);

  async function tick(): Promise<void> {
    let view: UploadView | undefined;
    try {
      view = await options.load();
    } catch (error) {
      // A passing database hiccup: try again on the next beat instead of dropping the client.
      options.onError(error);
      if (!closed) poll = setTimeout(tick, options.pollIntervalMs);
      return;
    }
    if (closed) return;
    if (!view) {
      response.write('event: deleted\ndata: {}\n\n');
      close();
      return;
    }
    const json = JSON.stringify(view);
    if (json !== lastSent) {
      lastSent = json;
      response.write(`data: ${json}\n\n`);
    }
    if (isFinalView(view)) close();
    else poll = setTimeout(tick, options.pollIntervalMs);
  }

  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // Caddy and nginx would otherwise hold events back in their buffers.
    'X-Accel-Buffering': 'no',
  });
  response.write('retry: 3000\n\n');
  void tick();
  return { ended, close };
}
