// Cancels an upload's import. A queued job is cancelled at once; a running one
// is cancelled in the table and its worker notices at its next batch commit
// or heartbeat (both require state = 'running'), so it stops at a batch
// boundary with every committed row kept.
import type { Executor } from '../uploads/upload-repository.ts';

export async function cancelJob(db: Executor, uploadId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .updateTable('jobs')
      .set({ state: 'cancelled', locked_by: null, locked_until: null, finished_at: new Date(), updated_at: new Date() })
      .where('upload_id', '=', uploadId)
      .where('state', 'in', ['queued', 'running'])
      .returning('id')
      .executeTakeFirst();
    if (!job) return false;
    // The bytes are still there and importable: the upload is back to `uploaded`.
    await trx
      .updateTable('uploads')
      .set({ state: 'uploaded', updated_at: new Date() })
      .where('id', '=', uploadId)
      .execute();
    return true;
  });
}
