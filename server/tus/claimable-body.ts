// A request body handed to @tus/server as a web stream that nothing has read
// yet, so that the tus write path (direct-body-writes.ts) can take the Node
// request itself instead: a PATCH's bytes then go socket -> byte limit -> file,
// not through a web stream, Readable.fromWeb and a PassThrough first. Each
// stage holds a 64 KiB socket chunk or more per upload in flight, and the web
// stream costs a promise per chunk. Anything else that reads the stream gets
// the body as toWebReadable gives it.
import type { Readable } from 'node:stream';
import { toWebReadable } from './web-readable.ts';

/** Placeholder streams whose Node source has not been read or claimed yet. */
const unclaimed = new WeakMap<ReadableStream<Uint8Array>, Readable>();

export function claimableBody(source: Readable): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const body: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        unclaimed.delete(body);
        reader ??= toWebReadable(source).getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        unclaimed.delete(body);
        if (reader) await reader.cancel(reason);
        else source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    // No pull before someone reads: until then the source stays untouched and can be claimed.
    { highWaterMark: 0 },
  );
  unclaimed.set(body, source);
  return body;
}

/** The Node source of a body nobody has read, taken once; undefined for any other stream. */
export function claimSource(body: ReadableStream | null): Readable | undefined {
  if (!body) return undefined;
  const source = unclaimed.get(body);
  unclaimed.delete(body);
  return source;
}
