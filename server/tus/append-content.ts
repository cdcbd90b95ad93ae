// Streams a request's content into the upload store at an offset: the Node
// request's own chunks go through the byte limit to the store's write (no web
// stream, no copy, nothing held), at most `limit` bytes. Draft requests and tus
// PATCHes (direct-body-writes.ts) both write this way. Content cut short, by
// the client going away or by `stop` (another request wants the upload), ends
// the write with what arrived: those bytes count, and the client resumes from them.
import type { IncomingMessage } from 'node:http';
import { finished, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StreamLimiter } from '@tus/utils';
import { countReceivedBytes } from './upload-buffer-collector.ts';
import type { UploadStore } from './upload-store.ts';

export interface AppendResult {
  offset: number;
  /** The content did not arrive whole. */
  cut: boolean;
}

export async function appendContent(
  store: UploadStore,
  raw: IncomingMessage,
  target: { id: string; offset: number; limit: number },
  stop: AbortSignal,
): Promise<AppendResult> {
  // The limiter is also what a cut ends: the write finishes gracefully without destroying the
  // request (and its socket). One stage, not a PassThrough before it: each holds chunks in flight.
  const limiter = new StreamLimiter(target.limit);
  let cut = false;
  const end = () => {
    cut = true;
    raw.unpipe(limiter);
    if (!limiter.destroyed) limiter.end();
  };
  if (stop.aborted) end();
  stop.addEventListener('abort', end, { once: true });
  const stopWatching = finished(raw, (error) => {
    if (error) end();
  });
  const count = (chunk: Buffer) => countReceivedBytes(chunk.length);
  raw.on('data', count);
  raw.pipe(limiter);
  try {
    // As @tus/server writes (BaseHandler.writeToStore): the stores take the limiter's output as their source.
    const offset: number = await pipeline(limiter, (source: AsyncIterable<Buffer>) =>
      store.write(source as Readable, target.id, target.offset),
    );
    return { offset, cut };
  } finally {
    stopWatching();
    raw.off('data', count);
    stop.removeEventListener('abort', end);
    raw.unpipe(limiter);
  }
}
