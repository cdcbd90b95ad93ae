// One job-control transition (cancel, retry): the job moves only from the
// states allowed, and its upload's state follows in the same transaction.
import type { Updateable } from 'kysely';
import type { JobState, JobsTable, UploadState } from '../../db/schema.ts';
import type { Executor } from '../uploads/upload-repository.ts';

export interface JobMove {
  from: JobState[];
  set: Updateable<JobsTable>;
  uploadState: UploadState;
}

/** False when the job is in none of the `from` states (the caller answers 409). */
export async function moveJob(db: Executor, uploadId: string, move: JobMove): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .updateTable('jobs')
      .set({ ...move.set, updated_at: new Date() })
      .where('upload_id', '=', uploadId)
      .where('state', 'in', move.from)
      .returning('id')
      .executeTakeFirst();
    if (!job) return false;
    await trx
      .updateTable('uploads')
      .set({ state: move.uploadState, updated_at: new Date() })
      .where('id', '=', uploadId)
      .execute();
    return true;
  });
}
