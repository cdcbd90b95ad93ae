// Takes the next runnable job for this worker and commits at once, so no
// transaction stays open while the file is processed (PGlite has one connection).
import { sql } from 'kysely';
import type { Job } from '../../db/schema.ts';
import type { Executor } from '../uploads/upload-repository.ts';

/**
 * Runnable = queued and due. SKIP LOCKED lets many workers claim at once
 * without waiting on each other's row locks; the lease (`locked_until`) set
 * here is what a crashed worker leaves behind, for resetStaleJobs to expire.
 */
export async function claimJob(db: Executor, workerId: string, leaseMs: number): Promise<Job | undefined> {
  return db.transaction().execute(async (trx) => {
    const candidate = await trx
      .selectFrom('jobs')
      .select('id')
      .where('state', '=', 'queued')
      .where('run_at', '<=', sql<Date>`now()`)
      .orderBy('run_at')
      .orderBy('id')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!candidate) return undefined;
    const job = await trx
      .updateTable('jobs')
      .set({
        state: 'running',
        attempts: sql`attempts + 1`,
        locked_by: workerId,
        locked_until: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
        started_at: sql`coalesce(started_at, now())`,
        updated_at: sql`now()`,
      })
      .where('id', '=', candidate.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('uploads')
      .set({ state: 'processing', updated_at: new Date() })
      .where('id', '=', job.upload_id)
      .execute();
    return job;
  });
}
