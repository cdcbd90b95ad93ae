// Records a failed attempt. A permanent error, or the last allowed attempt,
// fails the job for good; otherwise it is queued again after a backoff delay.

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database, JobAttemptError } from '../../db/schema.ts';
import { retryDelayMs } from './retry-delay.ts';

export interface FailureInput {
  message: string;
  /** Retrying cannot help (file gone, malformed beyond repair). */
  permanent: boolean;
  retryBaseMs: number;
}

export type FailureOutcome = 'retrying' | 'failed' | 'lost';

export async function failJob(
  db: Kysely<Database>,
  jobId: number,
  workerId: string,
  failure: FailureInput,
): Promise<FailureOutcome> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom('jobs')
      .select(['attempts', 'max_attempts', 'upload_id', 'attempt_errors'])
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .forUpdate()
      .executeTakeFirst();
    if (!job) return 'lost';
    const attemptErrors: JobAttemptError[] = [
      ...(job.attempt_errors ?? []),
      { attempt: job.attempts, at: new Date().toISOString(), message: failure.message },
    ];
    const final = failure.permanent || job.attempts >= job.max_attempts;
    const delay = retryDelayMs(job.attempts, failure.retryBaseMs);
    await trx
      .updateTable('jobs')
      .set({
        state: final ? 'failed' : 'queued',
        last_error: failure.message,
        attempt_errors: JSON.stringify(attemptErrors),
        run_at: final ? sql`run_at` : sql`now() + ${`${delay} milliseconds`}::interval`,
        locked_by: null,
        locked_until: null,
        finished_at: final ? new Date() : null,
        updated_at: new Date(),
      })
      .where('id', '=', jobId)
      .execute();
    if (final) {
      await trx
        .updateTable('uploads')
        .set({ state: 'failed', updated_at: new Date() })
        .where('id', '=', job.upload_id)
        .execute();
    }
    return final ? 'failed' : 'retrying';
  });
}
