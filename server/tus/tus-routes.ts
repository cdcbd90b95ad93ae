// Mounts the tus protocol at /files as an encapsulated plugin: request bodies
// pass through untouched (streamed to disk by @tus/server), every verb but
// OPTIONS is authenticated, and an upload id answers only to its owner.
import type { Server } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { notFound } from '../errors.ts';
import { isValidUploadId } from '../uploads/upload-id.ts';
import { findOwnedUpload } from '../uploads/upload-repository.ts';
import { setRequestContext } from './request-context.ts';
import { TUS_PATH } from './tus-server.ts';

export interface TusRoutesOptions {
  tusServer: Server;
  db: Kysely<Database>;
  authenticate: (request: FastifyRequest) => Promise<void>;
}

/** The upload id in /files/<id>, or null for the collection URL. */
function uploadIdOf(url: string): string | null {
  const path = url.split('?')[0] ?? '';
  const rest = path.slice(TUS_PATH.length).replace(/^\/+/, '').replace(/\/+$/, '');
  return rest === '' ? null : rest;
}

export async function tusRoutes(app: FastifyInstance, options: TusRoutesOptions): Promise<void> {
  // Leave the body stream alone: @tus/server reads it and writes it to disk.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'OPTIONS') return;
    // tus answers carry Tus-Resumable even when we refuse before reaching it.
    reply.header('Tus-Resumable', '1.0.0');
    // Hijacked replies bypass Fastify's headers: set the request id on the raw response.
    reply.raw.setHeader('X-Request-Id', request.id);
    await options.authenticate(request);
    const owner = request.owner as string;
    const id = uploadIdOf(request.url);
    if (id !== null) {
      // Same answer for a malformed id, an unknown id and another owner's id.
      if (!isValidUploadId(id) || !(await findOwnedUpload(options.db, owner, id))) throw notFound();
    }
    setRequestContext(request.raw, { owner, requestId: request.id });
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    try {
      await options.tusServer.handle(request.raw, reply.raw);
    } catch (error) {
      // Typically the client went away mid-response; never let it escape as a crash.
      request.log.warn({ err: error }, 'tus response could not be completed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
      else reply.raw.destroy();
    }
  };
  app.all(TUS_PATH, handle);
  app.all(`${TUS_PATH}/*`, handle);
}
