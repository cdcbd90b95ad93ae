// Import control: POST /api/uploads/:id/retry and /cancel, and
// DELETE /api/uploads/:id (file, job, rows and errors all removed).
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { appError } from '../errors.ts';
import { cancelJob } from '../queue/cancel-job.ts';
import { findJobForUpload } from '../queue/find-jobs.ts';
import type { JobSignal } from '../queue/job-signal.ts';
import { retryJob } from '../queue/retry-job.ts';
import { deleteUpload, type UploadFiles } from '../uploads/delete-upload.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';
import { presentUpload } from '../uploads/upload-view.ts';

export interface UploadControlRoutesOptions {
  db: Kysely<Database>;
  jobSignal: JobSignal;
  files: UploadFiles;
}

export async function uploadControlRoutes(app: FastifyInstance, options: UploadControlRoutesOptions): Promise<void> {
  const { db } = options;

  app.post<{ Params: { id: string } }>('/api/uploads/:id/retry', async (request) => {
    const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
    if (!(await retryJob(db, upload.id))) {
      const job = await findJobForUpload(db, upload.id);
      throw appError(
        'conflict',
        `Only a failed or cancelled import can be retried; this one is ${job?.state ?? 'not queued yet'}`,
      );
    }
    await options.jobSignal.notify();
    const refreshed = await requireOwnedUpload(db, request.owner as string, upload.id);
    return presentUpload(refreshed, await findJobForUpload(db, upload.id));
  });

  app.post<{ Params: { id: string } }>('/api/uploads/:id/cancel', async (request) => {
    const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
    if (!(await cancelJob(db, upload.id))) {
      const job = await findJobForUpload(db, upload.id);
      throw appError(
        'conflict',
        `Only a queued or running import can be cancelled; this one is ${job?.state ?? 'not queued yet'}`,
      );
    }
    const refreshed = await requireOwnedUpload(db, request.owner as string, upload.id);
    return presentUpload(refreshed, await findJobForUpload(db, upload.id));
  });

  app.delete<{ Params: { id: string } }>('/api/uploads/:id', async (request, reply) => {
    const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
    await deleteUpload(db, options.files, upload.id);
    return reply.code(204).send();
  });
}
