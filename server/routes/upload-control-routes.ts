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
import { requireOwnedUploadWithJob } from '../uploads/upload-with-job.ts';

export interface UploadControlRoutesOptions {
  db: Kysely<Database>;
  jobSignal: JobSignal;
  files: UploadFiles;
}

export async function uploadControlRoutes(app: FastifyInstance, options: UploadControlRoutesOptions): Promise<void> {
  const { db } = options;

  interface JobControl {
    action: 'retry' | 'cancel';
    move: (db: Kysely<Database>, uploadId: string) => Promise<boolean>;
    /** Completes "Only … import can be …" in the 409 message. */
    refusal: string;
    /** A job queued again must wake a worker. */
    wakesWorkers: boolean;
  }

  /** POST /api/uploads/:id/<action>: the transition, or 409 naming the job's state; answers the new view. */
  function jobControl(control: JobControl): void {
    app.post<{ Params: { id: string } }>(`/api/uploads/:id/${control.action}`, async (request) => {
      const owner = request.owner as string;
      const upload = await requireOwnedUpload(db, owner, request.params.id);
      if (!(await control.move(db, upload.id))) {
        const job = await findJobForUpload(db, upload.id);
        throw appError('conflict', `Only ${control.refusal}; this one is ${job?.state ?? 'not queued yet'}`);
      }
      if (control.wakesWorkers) await options.jobSignal.notify();
      const after = await requireOwnedUploadWithJob(db, owner, upload.id);
      return presentUpload(after.upload, after.job);
    });
  }
  jobControl({
    action: 'retry',
    move: retryJob,
    refusal: 'a failed or cancelled import can be retried',
    wakesWorkers: true,
  });
  jobControl({
    action: 'cancel',
    move: cancelJob,
    refusal: 'a queued or running import can be cancelled',
    wakesWorkers: false,
  });

  app.delete<{ Params: { id: string } }>('/api/uploads/:id', async (request, reply) => {
    const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
    await deleteUpload(db, options.files, upload.id);
    return reply.code(204).send();
  });
}
