// Queues the import of uploads whose bytes are complete but which have no job,
// because onUploadFinish failed (database down, process killed between the
// last byte and the commit). Runs at start and on a timer; idempotent.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import type { JobSignal } from '../queue/job-signal.ts';
import type { UploadStore } from '../tus/upload-store.ts';
import { finishUpload } from '../uploads/finish-upload.ts';
import { findUploadsWithoutJob } from '../uploads/upload-repository.ts';

export interface ReconcileOptions {
  db: Kysely<Database>;
  store: UploadStore;
  jobSignal: JobSignal;
  jobMaxAttempts: number;
  logger: Logger;
}

const PAGE = 500;

async function completeSize(store: UploadStore, id: string): Promise<number | undefined> {
  try {
    const upload = await store.getUpload(id);
    return upload.size !== undefined && upload.offset === upload.size ? upload.size : undefined;
  } catch {
    return undefined;
  }
}

export async function reconcileFinishedUploads(options: ReconcileOptions): Promise<number> {
  let queued = 0;
  for (const upload of await findUploadsWithoutJob(options.db, PAGE)) {
    const size = await completeSize(options.store, upload.id);
    if (size === undefined) continue;
    const { jobId } = await finishUpload(options.db, options.jobSignal, upload.id, size, options.jobMaxAttempts);
    if (jobId !== null) {
      queued++;
      options.logger.warn({ uploadId: upload.id, jobId }, 'queued the import of a finished upload that had no job');
    }
  }
  return queued;
}
