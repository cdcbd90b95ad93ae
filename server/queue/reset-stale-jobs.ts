// Gives back the jobs of workers that died: a running job whose lease ran out
// (no heartbeat for JOB_LEASE_MS) is queued again, due now, and resumes from
// its checkpoint on whichever worker claims it. The lost attempt counts, so a
// file that crashes every worker that touches it ends `failed`, not in a loop.
import { sql } from 'kysely';
import type { Executor } from '../uploads/upload-repository.ts';

const LOST = 'The worker running this job stopped responding (its lease expired)';

export async function resetStaleJobs(db: Executor): Promise<number> {
  // One statement: rows whose lease expired are updated atomically, so two
  // sweeping workers never both requeue (or both fail) the same job.
  const result = await sql<{ id: number }>`
    UPDATE jobs SET
      state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
      finished_at = CASE WHEN attempts >= max_attempts THEN now() ELSE NULL END,
      last_error = ${LOST},
      attempt_errors = attempt_errors || jsonb_build_array(jsonb_build_object(
        'attempt', attempts, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'message', ${LOST}::text)),
      run_at = now(),
      locked_by = NULL,
      locked_until = NULL,
      updated_at = now()
    WHERE state = 'running' AND locked_until < now()
    RETURNING id`.execute(db);
  await sql`
    UPDATE uploads SET state = 'failed', updated_at = now()
    WHERE state = 'processing' AND id IN (SELECT upload_id FROM jobs WHERE state = 'failed')`.execute(db);
  return result.rows.length;
}
