// Records that an upload's bytes are complete and queues its import, in one
// transaction. Idempotent: a second call (client retry, reconciliation) changes
// nothing and queues nothing.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { enqueueImportJob } from '../queue/enqueue-job.ts';
import type { JobSignal } from '../queue/job-signal.ts';
import { wantsReview } from '../review/review-hold.ts';
import { findUpload, markUploadFinished } from './upload-repository.ts';

export interface FinishResult {
  /** The id of the job queued by this call, or null if one already existed (or none is due). */
  jobId: number | null;
  createdAt: Date | null;
  /** This call finished an upload that asked for review (`review=true`): held, no job until POST /api/uploads/:id/import. */
  held: boolean;
}

export async function finishUpload(
  db: Kysely<Database>,
  signal: JobSignal,
  uploadId: string,
  size: number,
  maxAttempts: number,
  /** The request that delivered the last byte, so the job's logs can be joined to it. */
  requestId: string | null = null,
): Promise<FinishResult> {
  const result = await db.transaction().execute(async (trx) => {
    const marked = await markUploadFinished(trx, uploadId, size);
    // An upload that expired or was removed meanwhile gets no job.
    const upload = await findUpload(trx, uploadId);
    if (upload?.state !== 'uploaded') return { jobId: null, createdAt: upload?.created_at ?? null, held: false };
    if (wantsReview(upload.metadata)) return { jobId: null, createdAt: upload.created_at, held: marked };
    return {
      jobId: await enqueueImportJob(trx, uploadId, maxAttempts, requestId),
      createdAt: upload.created_at,
      held: false,
    };
  });
  if (result.jobId !== null) await signal.notify();
  return result;
}
