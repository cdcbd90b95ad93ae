// @tus/server writes a PATCH (or a creation-with-upload POST) from the web
// stream srvx gives it: Readable.fromWeb, a PassThrough, its byte limit, then
// the store. With a body serve-tus.ts made claimable, the store gets the Node
// request through the byte limit alone (appendContent, as the draft layer
// writes): three stages less, each holding a 64 KiB socket chunk or more per
// upload in flight, and no promise per chunk. What a write guarantees stays:
// at most the body limit (413 past it), the checksum (the store verifies what
// it is given), and a request cut off or asked to let go of its lock (the
// cancellation context aborts) keeps the bytes that arrived.
import type { IncomingMessage } from 'node:http';
import type { Server } from '@tus/server';
import { type CancellationContext, type DataStore, ERRORS, EVENTS, type Upload } from '@tus/utils';
import { appendContent } from './append-content.ts';
import { claimSource } from './claimable-body.ts';
import type { UploadStore } from './upload-store.ts';
import { toWebReadable } from './web-readable.ts';

type WriteToStore = (
  body: ReadableStream | null,
  upload: Upload,
  maxBodySize: number,
  context: CancellationContext,
) => Promise<number>;

/** What BaseHandler declares protected: the method replaced here and what it uses. */
interface WritingHandler {
  store: DataStore;
  writeToStore: WriteToStore;
  listenerCount(event: string): number;
}

export function writeBodiesDirectly(server: Server): void {
  for (const handler of [server.handlers.PATCH, server.handlers.POST] as unknown as WritingHandler[]) {
    const throughWebStream = handler.writeToStore.bind(handler);
    handler.writeToStore = async (body, upload, maxBodySize, context) => {
      const source = claimSource(body);
      if (!source) return throughWebStream(body, upload, maxBodySize, context);
      // Progress events (POST_RECEIVE) come from @tus/server's own stream: keep its way then.
      if (handler.listenerCount(EVENTS.POST_RECEIVE) > 0) {
        return throughWebStream(toWebReadable(source), upload, maxBodySize, context);
      }
      if (context.signal.aborted) throw ERRORS.ABORTED;
      const { offset } = await appendContent(
        handler.store as unknown as UploadStore,
        source as IncomingMessage,
        { id: upload.id, offset: upload.offset, limit: maxBodySize },
        context.signal,
      );
      return offset;
    };
  }
}
