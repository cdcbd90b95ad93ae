// Keeps the upload store (directory or bucket) and the uploads table in
// agreement: files with no upload row (a crash between creating the file and
// the row, or a row deleted by hand) are removed, and unfinished uploads whose
// file vanished are marked expired. A grace period keeps uploads being created
// right now out of it.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import type { UploadStore } from '../tus/upload-store.ts';

export interface OrphanOptions {
  db: Kysely<Database>;
  store: UploadStore;
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Files and rows younger than this are left alone (default one hour). */
  graceMs?: number;
  now?: Date;
}

export interface OrphanReport {
  filesRemoved: number;
  rowsExpired: number;
}

const HOUR = 3_600_000;

export async function removeOrphans(options: OrphanOptions): Promise<OrphanReport> {
  const cutoff = (options.now ?? new Date()).getTime() - (options.graceMs ?? HOUR);
  const ids = await options.store.listStoredIds();
  const known = new Set<string>();
  const idList = [...ids];
  for (let i = 0; i < idList.length; i += 1000) {
    const rows = await options.db
      .selectFrom('uploads')
      .select('id')
      .where('id', 'in', idList.slice(i, i + 1000))
      .where('file_deleted_at', 'is', null)
      .execute();
    for (const row of rows) known.add(row.id);
  }
  let filesRemoved = 0;
  for (const id of ids) {
    if (known.has(id)) continue;
    const oldest = await options.store.oldestPieceChange(id);
    if (oldest === undefined || oldest >= cutoff) continue;
    await options.store.removeAllPieces(id);
    filesRemoved++;
  }

  const unfinished = await options.db
    .selectFrom('uploads')
    .select('id')
    .where('state', '=', 'uploading')
    .where('created_at', '<', new Date(cutoff))
    .execute();
  let rowsExpired = 0;
  for (const { id } of unfinished) {
    if (ids.has(id)) continue;
    await options.db
      .updateTable('uploads')
      .set({ state: 'expired', file_deleted_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'uploading')
      .execute();
    rowsExpired++;
  }
  options.metrics?.filesRemoved.inc({ reason: 'orphan' }, filesRemoved);
  if (filesRemoved + rowsExpired > 0) options.logger.info({ filesRemoved, rowsExpired }, 'orphans cleaned up');
  return { filesRemoved, rowsExpired };
}
