// Hands a Node request to @tus/server as its own handle() does (srvx's
// NodeRequest in, sendNodeResponse out), except for the body: srvx makes it
// with Readable.toWeb, which copies every chunk. Ours is claimable: the tus
// write path takes the Node request itself (direct-body-writes.ts); anything
// else reading it gets toWebReadable's stream, which copies nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@tus/server';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { claimableBody } from './claimable-body.ts';

export async function serveTus(tusServer: Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = new NodeRequest({ req, res });
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let body: ReadableStream<Uint8Array> | null | undefined;
  // Made on first read, as srvx does: requests that never read their body leave it untouched.
  Object.defineProperty(request, 'body', {
    get: () => {
      body ??= hasBody ? claimableBody(req) : null;
      return body;
    },
  });
  const response = await tusServer.handleWeb(request);
  await sendNodeResponse(res, response);
}
