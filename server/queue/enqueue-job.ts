// Queues the import job of an upload. The unique key on jobs.upload_id makes a
// repeated finish (client retry, reconciliation pass) a no-op, not a second job.
import type { Executor } from '../uploads/upload-repository.ts';

export async function enqueueImportJob(
  db: Executor,
  uploadId: string,
  maxAttempts: number,
  requestId: string | null = null,
): Promise<number | null> {
  const row = await db
    .insertInto('jobs')
    .values({ upload_id: uploadId, state: 'queued', max_attempts: maxAttempts, request_id: requestId })
    .onConflict((oc) => oc.column('upload_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}
