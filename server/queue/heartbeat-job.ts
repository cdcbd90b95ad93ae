// Extends the lease of a job this worker still holds. Returns false when the
// job was taken from it (lease expired and reclaimed, or cancelled): stop work.
import { sql } from 'kysely';
import type { Executor } from '../uploads/upload-repository.ts';

export async function heartbeatJob(db: Executor, jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ locked_until: sql`now() + ${`${leaseMs} milliseconds`}::interval`, updated_at: sql`now()` })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
