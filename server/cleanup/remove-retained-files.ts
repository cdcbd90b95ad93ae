// Retention: the file of an import that ended (processed, or failed for good)
// is deleted RETENTION_HOURS after the import ended. The rows stay; the
// upload is marked `file_deleted_at` so nothing tries to read the file again.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import type { UploadStore } from '../tus/upload-store.ts';

export interface RetentionOptions {
  db: Kysely<Database>;
  store: UploadStore;
  retentionMs: number;
  logger: Logger;
  metrics?: ServiceMetrics;
  now?: Date;
}

const PAGE = 500;

export async function removeRetainedFiles(options: RetentionOptions): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionMs);
  const due = await options.db
    .selectFrom('uploads')
    .innerJoin('jobs', 'jobs.upload_id', 'uploads.id')
    .select('uploads.id')
    .where('uploads.state', 'in', ['processed', 'failed'])
    .where('uploads.file_deleted_at', 'is', null)
    .where('jobs.state', 'in', ['succeeded', 'failed'])
    .where('jobs.finished_at', '<', cutoff)
    .limit(PAGE)
    .execute();
  for (const { id } of due) {
    await options.store.removeFiles(id).catch(() => {});
    await options.db.updateTable('uploads').set({ file_deleted_at: new Date() }).where('id', '=', id).execute();
  }
  options.metrics?.filesRemoved.inc({ reason: 'retention' }, due.length);
  if (due.length > 0) options.logger.info({ removed: due.length }, 'files past their retention removed');
  return due.length;
}
