// GET /api/uploads (the owner's uploads, newest first, paginated) and
// GET /api/uploads/:id (one upload with its job and progress).
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, Upload } from '../../db/schema.ts';
import { appError } from '../errors.ts';
import type { UploadPageCursor } from '../uploads/upload-repository.ts';
import { presentUpload } from '../uploads/upload-view.ts';
import { listOwnedUploadsWithJobs, requireOwnedUploadWithJob } from '../uploads/upload-with-job.ts';

export interface UploadsRoutesOptions {
  db: Kysely<Database>;
  /** Bytes an unfinished upload holds so far (the upload store's count: file size or S3 parts). */
  receivedBytes(id: string): Promise<number>;
}

function encodeCursor(upload: Upload): string {
  return Buffer.from(`${upload.created_at.toISOString()}|${upload.id}`).toString('base64url');
}

function decodeCursor(text: string): UploadPageCursor {
  const [date, id] = Buffer.from(text, 'base64url').toString().split('|');
  const createdAt = new Date(date ?? '');
  if (!id || Number.isNaN(createdAt.getTime()))
    throw appError('invalid_request', 'The "cursor" parameter is not valid');
  return { createdAt, id };
}

export async function uploadsRoutes(app: FastifyInstance, options: UploadsRoutesOptions): Promise<void> {
  const { db } = options;

  /** Bytes stored while uploading: the table only learns the offset when the upload ends. */
  async function liveOffset(upload: Upload): Promise<number | undefined> {
    if (upload.state !== 'uploading') return undefined;
    return options.receivedBytes(upload.id);
  }

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/uploads',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, cursor: { type: 'string' } },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const cursor = request.query.cursor ? decodeCursor(request.query.cursor) : null;
      const page = await listOwnedUploadsWithJobs(db, request.owner as string, request.query.limit, cursor);
      const views = await Promise.all(
        page.map(async ({ upload, job }) => presentUpload(upload, job, await liveOffset(upload))),
      );
      const last = page.at(-1)?.upload;
      return { uploads: views, nextCursor: page.length === request.query.limit && last ? encodeCursor(last) : null };
    },
  );

  app.get<{ Params: { id: string } }>('/api/uploads/:id', async (request) => {
    const { upload, job } = await requireOwnedUploadWithJob(db, request.owner as string, request.params.id);
    return presentUpload(upload, job, await liveOffset(upload));
  });
}
