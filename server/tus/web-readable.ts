// A Node stream as the web ReadableStream @tus/server works with (a request
// body it reads, a stored file it sends), without the copy Node 20's
// Readable.toWeb makes of every chunk ("to detach it from the pool"): without
// it, uploads went 197 -> 252 MB/s in interleaved runs (README, Benchmarks).
// Nothing here transfers or keeps a chunk: it is a default
// (not a byte) stream whose chunks go straight on to a file or a socket.
// Otherwise it behaves as Readable.toWeb does: the source pauses while the
// queue is full, a source cut off before its end errors the stream with an
// AbortError, cancelling it destroys the source.
import { finished, type Readable } from 'node:stream';

/** What Readable.toWeb reports for a body that ended early; @tus/server treats it as an abort. */
function cutOff(cause: Error): Error {
  return Object.assign(new Error('The stream was cut off before its end', { cause }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/** The queue holds the source's own high-water mark of bytes before the source is paused. */
export function toWebReadable(source: Readable): ReadableStream<Uint8Array> {
  if (source.destroyed || !source.readable) {
    const closed = new ReadableStream<Uint8Array>();
    void closed.cancel();
    return closed;
  }
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const onData = (chunk: Buffer) => {
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 0) <= 0) source.pause();
  };
  source.pause();
  const stopWatching = finished(source, (error) => {
    stopWatching();
    source.off('data', onData);
    // A legacy stream may emit another error once finished; it must not go unhandled.
    source.on('error', () => {});
    if (error) {
      const premature = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
      controller.error(premature ? cutOff(error) : error);
    } else if (!cancelled) controller.close();
  });
  source.on('data', onData);
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        source.resume();
      },
      cancel(reason) {
        cancelled = true;
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: source.readableHighWaterMark }),
  );
}
