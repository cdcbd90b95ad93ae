// Hands a job back on graceful shutdown: queued, due now, and the attempt not
// counted, so another worker continues from the checkpoint at once.
import { sql } from 'kysely';
import type { Executor } from '../uploads/upload-repository.ts';

export async function releaseJob(db: Executor, jobId: number, workerId: string): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: sql`greatest(attempts - 1, 0)`,
      run_at: sql`now()`,
      locked_by: null,
      locked_until: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
