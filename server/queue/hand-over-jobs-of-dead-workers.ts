// Hands over at once the running jobs of worker processes that died: a
// registered worker whose advisory lock has no holder in pg_locks lost its
// session (PostgreSQL ends it the moment the process dies, kill -9 included),
// so waiting for its lease to run out would only waste time. Such a crash
// spends no attempt; lost_workers counts it instead, so a file that kills
// every worker touching it still ends `failed` (after JOB_MAX_ATTEMPTS crashes).
import { sql } from 'kysely';
import type { Executor } from '../uploads/upload-repository.ts';

const LOST = 'The worker process running this job died (its database session ended); the attempt does not count';

export async function handOverJobsOfDeadWorkers(db: Executor): Promise<number> {
  // One statement, so the dead set, the job updates and the removal of the
  // workers' rows are atomic: two sweepers never both hand over a job (the
  // second's UPDATE re-checks locked_by after the first commits). pg_locks
  // shows a bigint advisory key as classid (high 32 bits) and objid (low 32).
  // A worker takes its lock before it registers, so a row without a lock
  // holder is never a process still starting.
  const result = await sql<{ handed: number }>`
    WITH dead AS (
      SELECT w.id FROM workers w
      WHERE NOT EXISTS (
        SELECT 1 FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = ((w.lock_key >> 32) & 4294967295)::oid
          AND l.objid = (w.lock_key & 4294967295)::oid)
    ),
    forgotten AS (
      DELETE FROM workers WHERE id IN (SELECT id FROM dead)
    ),
    handed AS (
      UPDATE jobs SET
        state = CASE WHEN lost_workers + 1 >= max_attempts THEN 'failed' ELSE 'queued' END,
        finished_at = CASE WHEN lost_workers + 1 >= max_attempts THEN now() ELSE NULL END,
        attempts = CASE WHEN lost_workers + 1 >= max_attempts THEN attempts ELSE greatest(attempts - 1, 0) END,
        lost_workers = lost_workers + 1,
        last_error = ${LOST},
        attempt_errors = attempt_errors || jsonb_build_array(jsonb_build_object(
          'attempt', attempts, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'message', ${LOST}::text)),
        locked_by = NULL,
        locked_until = NULL,
        updated_at = now()
        -- run_at stays: the job keeps its place ahead of jobs queued after it.
      WHERE state = 'running' AND locked_by IN (SELECT id FROM dead)
      RETURNING upload_id, state
    ),
    failed_uploads AS (
      UPDATE uploads SET state = 'failed', updated_at = now()
      WHERE id IN (SELECT upload_id FROM handed WHERE state = 'failed')
    )
    SELECT count(*)::int AS handed FROM handed`.execute(db);
  return result.rows[0]?.handed ?? 0;
}
