// Removes an upload entirely: its import is cancelled, then its file, its
// import's table (or legacy rows), its row errors, its job and its row go. Used by
// DELETE /api/uploads/:id and by tus termination (DELETE /files/:id).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { dropImportTable } from '../import/destination/destination-sql.ts';
import { kyselyRunner } from '../import/destination/kysely-runner.ts';
import { cancelJob } from '../queue/cancel-job.ts';

export interface UploadFiles {
  /** Deletes the stored bytes and tus metadata; missing files are not an error. */
  remove(id: string): Promise<void>;
}

export async function deleteUpload(db: Kysely<Database>, files: UploadFiles, uploadId: string): Promise<void> {
  // Cancel first: a running worker must stop before its rows are deleted under it.
  await cancelJob(db, uploadId);
  await files.remove(uploadId).catch(() => {});
  await db.transaction().execute(async (trx) => {
    // The import's own table goes with it; an existing table it appended to stays.
    const destination = await trx
      .selectFrom('import_destinations')
      .select(['table_schema', 'table_name', 'owned'])
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    if (destination) await dropImportTable(kyselyRunner(trx), destination);
    // imported_rows (imports before migration 0006) has no foreign key (it would slow COPY): deleted explicitly.
    await trx.deleteFrom('imported_rows').where('upload_id', '=', uploadId).execute();
    await trx.deleteFrom('uploads').where('id', '=', uploadId).execute();
  });
}
