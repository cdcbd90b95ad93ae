// Marks a job succeeded and its upload processed, in one transaction, only if
// this worker still holds it (a worker that lost its lease must not overwrite).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface CompletedImport {
  result: Record<string, unknown>;
  sha256: string;
}

export async function completeJob(
  db: Kysely<Database>,
  jobId: number,
  workerId: string,
  outcome: CompletedImport,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .updateTable('jobs')
      .set({
        state: 'succeeded',
        result: JSON.stringify(outcome.result),
        locked_by: null,
        locked_until: null,
        finished_at: new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .returning('upload_id')
      .executeTakeFirst();
    if (!job) return false;
    await trx
      .updateTable('uploads')
      .set({ state: 'processed', sha256: outcome.sha256, updated_at: new Date() })
      .where('id', '=', job.upload_id)
      .execute();
    return true;
  });
}
