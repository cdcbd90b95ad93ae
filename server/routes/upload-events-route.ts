// GET /api/uploads/:id/events: Server-Sent Events carrying the same object as
// GET /api/uploads/:id on every change, until the import is finished.
// A browser's EventSource cannot send headers, so this one route also takes
// the token as `?token=`; every other route insists on the Authorization header.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';
import { presentUpload, type UploadView } from '../uploads/upload-view.ts';
import { findOwnedUploadWithJob } from '../uploads/upload-with-job.ts';
import { streamUploadEvents, type UploadEventStream } from './upload-event-stream.ts';

export interface UploadEventsRouteOptions {
  db: Kysely<Database>;
  authenticate: (request: FastifyRequest) => Promise<void>;
  /** Bytes an unfinished upload holds so far (the upload store's count: file size or S3 parts). */
  receivedBytes(id: string): Promise<number>;
  /** How often each open stream asks the database for changes (default 500 ms). */
  pollIntervalMs?: number;
  /** Interval of the comment heartbeat (default 15 s). */
  heartbeatMs?: number;
}

export async function uploadEventsRoute(app: FastifyInstance, options: UploadEventsRouteOptions): Promise<void> {
  const { db } = options;
  const open = new Set<UploadEventStream>();

  app.addHook('onRequest', async (request) => {
    const { token } = request.query as { token?: unknown };
    // The header wins; the query token only stands in for a client that cannot send one.
    if (!request.headers.authorization && typeof token === 'string' && token !== '') {
      request.headers.authorization = `Bearer ${token}`;
    }
    await options.authenticate(request);
  });
  // Long-lived streams would hold app.close() until the grace period runs out.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.close();
  });

  async function loadView(owner: string, id: string): Promise<UploadView | undefined> {
    const found = await findOwnedUploadWithJob(db, owner, id);
    if (!found) return undefined;
    const { upload, job } = found;
    // While uploading, the bytes stored are ahead of the table (as in GET /api/uploads/:id).
    const liveOffset = upload.state === 'uploading' ? await options.receivedBytes(upload.id) : undefined;
    return presentUpload(upload, job, liveOffset);
  }

  app.get<{ Params: { id: string }; Querystring: { token?: string } }>(
    '/api/uploads/:id/events',
    {
      // Request logs print the URL, and the URL may carry the token: keep them quiet here.
      logLevel: 'warn',
      schema: {
        querystring: { type: 'object', properties: { token: { type: 'string' } }, additionalProperties: false },
      },
    },
    async (request, reply) => {
      const owner = request.owner as string;
      // Refuse before the stream starts, so a wrong id is a plain JSON 404.
      const upload = await requireOwnedUpload(db, owner, request.params.id);
      reply.hijack();
      const stream = streamUploadEvents(reply.raw, {
        load: () => loadView(owner, upload.id),
        pollIntervalMs: options.pollIntervalMs ?? 500,
        heartbeatMs: options.heartbeatMs ?? 15_000,
        onError: (error) => request.log.warn({ err: error, uploadId: upload.id }, 'upload event poll failed'),
      });
      open.add(stream);
      await stream.ended;
      open.delete(stream);
    },
  );
}
