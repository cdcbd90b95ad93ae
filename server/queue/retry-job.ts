// Runs a failed or cancelled import again, now, with a fresh attempt budget.
// The checkpoint is kept, so it continues after the last committed batch;
// the history of attempt errors is kept too.
import type { Executor } from '../uploads/upload-repository.ts';

export async function retryJob(db: Executor, uploadId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .updateTable('jobs')
      .set({ state: 'queued', attempts: 0, run_at: new Date(), finished_at: null, updated_at: new Date() })
      .where('upload_id', '=', uploadId)
      .where('state', 'in', ['failed', 'cancelled'])
      .returning('id')
      .executeTakeFirst();
    if (!job) return false;
    await trx
      .updateTable('uploads')
      .set({ state: 'uploaded', updated_at: new Date() })
      .where('id', '=', uploadId)
      .execute();
    return true;
  });
}
