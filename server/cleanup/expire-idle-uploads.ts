// Removes unfinished uploads that have seen no bytes for UPLOAD_EXPIRY_HOURS,
// and uploads held for review (`review=true`) that nobody imported for as long
// after their last byte: the file and its tus metadata go, the row stays as
// `expired` (tus answers 404 for it from then on).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import { wantsReview } from '../review/review-hold.ts';
import type { UploadStore } from '../tus/upload-store.ts';
import { expireHeldUpload, findIdleUnfinishedUploads, markUploadExpired } from '../uploads/upload-repository.ts';

export interface ExpiryOptions {
  db: Kysely<Database>;
  store: UploadStore;
  expiryMs: number;
  logger: Logger;
  now?: Date;
  metrics?: ServiceMetrics;
}

const PAGE = 500;

/** Time of the last byte received, or undefined when the file is gone. */
async function lastActivity(store: UploadStore, id: string): Promise<{ at: number; complete: boolean } | undefined> {
  try {
    const upload = await store.getUpload(id);
    const at = new Date(upload.creation_date ?? 0).getTime();
    return { at, complete: upload.size !== undefined && upload.offset === upload.size };
  } catch {
    return undefined;
  }
}

export async function expireIdleUploads(options: ExpiryOptions): Promise<number> {
  if (options.expiryMs <= 0) return 0;
  const now = (options.now ?? new Date()).getTime();
  const cutoff = new Date(now - options.expiryMs);
  let expired = 0;
  // Rows are only candidates: the store's last write (file or S3 part) is the real last activity.
  for (const upload of await findIdleUnfinishedUploads(options.db, cutoff, PAGE)) {
    if (upload.state === 'uploaded' && upload.concat_role !== 'partial' && wantsReview(upload.metadata)) {
      // Held: its last byte is its finish time (updated_at); the row is marked first so an
      // import posted meanwhile keeps its file.
      if (!(await expireHeldUpload(options.db, upload.id, cutoff))) continue;
      await options.store.removeFiles(upload.id).catch(() => {});
      expired++;
      continue;
    }
    const activity = await lastActivity(options.store, upload.id);
    // Finished bytes are reconciliation's business and never expire, except partials no final claimed.
    if (activity?.complete && upload.concat_role !== 'partial') continue;
    if (activity && activity.at > cutoff.getTime()) continue;
    if (activity) await options.store.removeFiles(upload.id).catch(() => {});
    await markUploadExpired(options.db, upload.id);
    expired++;
  }
  options.metrics?.uploadsExpired.inc(expired);
  if (expired > 0) options.logger.info({ expired }, 'expired idle uploads removed');
  return expired;
}
