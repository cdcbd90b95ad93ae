// Starts the import of an upload held for review: the reviewed options become its
// metadata (what the worker and any retry read) and its job is queued, in one
// transaction, so a held upload gets one job or none.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { enqueueImportJob } from '../queue/enqueue-job.ts';
import { heldForReview } from '../uploads/upload-repository.ts';

/** The job's id, or null when the upload is no longer held (imported already, expired, deleted). */
export async function startReviewedImport(
  db: Kysely<Database>,
  uploadId: string,
  metadata: Record<string, string | null>,
  maxAttempts: number,
  requestId: string | null,
): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    // The UPDATE takes the row lock and re-checks that the upload is still held; expiry's
    // UPDATE re-checks updated_at, which this one moves, so the two cannot both win.
    const updated = await trx
      .updateTable('uploads')
      .set({ metadata: JSON.stringify(metadata), updated_at: new Date() })
      .where('id', '=', uploadId)
      .where(heldForReview)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return null;
    return enqueueImportJob(trx, uploadId, maxAttempts, requestId);
  });
}
