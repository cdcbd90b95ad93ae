// Reads and writes of the uploads table. Functions take `db` or a transaction
// first, so callers can group them (e.g. finishing an upload and queueing its job).
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { Database, NewUpload, Upload } from '../../db/schema.ts';
import { asksForReview } from '../review/review-hold.ts';

export type Executor = Kysely<Database> | Transaction<Database>;

/** Rows that are not partial uploads of tus concatenation (never imported on their own). */
const notPartial = (eb: ExpressionBuilder<Database, 'uploads'>) =>
  eb.or([eb('concat_role', 'is', null), eb('concat_role', '!=', 'partial')]);

const hasJob = ({ exists, selectFrom }: ExpressionBuilder<Database, 'uploads'>) =>
  exists(selectFrom('jobs').select('jobs.id').whereRef('jobs.upload_id', '=', 'uploads.id'));

/** Complete uploads that asked for review and have no job yet: waiting for POST /api/uploads/:id/import. */
export const heldForReview = (eb: ExpressionBuilder<Database, 'uploads'>) =>
  eb.and([eb('state', '=', 'uploaded'), eb(asksForReview, '=', true), eb.not(hasJob(eb))]);

export async function registerUpload(db: Executor, upload: NewUpload): Promise<void> {
  await db.insertInto('uploads').values(upload).execute();
}

/** The upload if `owner` owns it; another owner's upload is indistinguishable from none. */
export async function findOwnedUpload(db: Executor, owner: string, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).where('owner', '=', owner).executeTakeFirst();
}

export async function findUpload(db: Executor, id: string): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface UploadPageCursor {
  createdAt: Date;
  id: string;
}

/** Newest first; the cursor is the last row of the previous page (keyset pagination). */
export async function listOwnedUploads(
  db: Executor,
  owner: string,
  limit: number,
  cursor: UploadPageCursor | null,
): Promise<Upload[]> {
  // Partial uploads (tus concatenation) are pieces of a final upload, not imports of their own.
  let query = db.selectFrom('uploads').selectAll().where('owner', '=', owner).where(notPartial);
  if (cursor) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', cursor.createdAt),
        eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
      ]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Moves an upload out of `uploading` once; false when it already was. */
export async function markUploadFinished(db: Executor, id: string, size: number): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ state: 'uploaded', offset: size, size, finished_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('state', '=', 'uploading')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Bytes reserved by uploads whose file is still on disk: declared lengths, not bytes written. */
export async function reservedStorageBytes(db: Executor, maxFileSize: number): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.coalesce(eb.fn.sum(eb.fn.coalesce('size', eb.val(maxFileSize))), eb.val(0)).as('total'))
    .where('file_deleted_at', 'is', null)
    .where('state', '!=', 'expired')
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** The same reservation for one owner (OWNER_QUOTA_GB). */
export async function ownerReservedStorageBytes(db: Executor, owner: string, maxFileSize: number): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.coalesce(eb.fn.sum(eb.fn.coalesce('size', eb.val(maxFileSize))), eb.val(0)).as('total'))
    .where('owner', '=', owner)
    .where('file_deleted_at', 'is', null)
    .where('state', '!=', 'expired')
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Partials are parts of one parallel upload: they do not count separately. */
export async function countUnfinishedUploads(db: Executor, owner: string): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('owner', '=', owner)
    .where('state', '=', 'uploading')
    .where(notPartial)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setUploadState(db: Executor, id: string, state: Upload['state']): Promise<void> {
  await db.updateTable('uploads').set({ state, updated_at: new Date() }).where('id', '=', id).execute();
}

/**
 * Expiry candidates not touched in the database since `before`: unfinished
 * uploads, finished partials no final ever claimed (a parallel upload
 * abandoned before its final POST), and uploads held for a review nobody did.
 */
export async function findIdleUnfinishedUploads(db: Executor, before: Date, limit: number): Promise<Upload[]> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('state', '=', 'uploading'),
        eb.and([eb('state', '=', 'uploaded'), eb('concat_role', '=', 'partial')]),
        heldForReview(eb),
      ]),
    )
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

export async function markUploadExpired(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ state: 'expired', file_deleted_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('state', '=', 'uploading'), eb('concat_role', '=', 'partial')]))
    .execute();
}

/**
 * Expires an upload still held for review and untouched since `before`; false when
 * it was imported (or touched) meanwhile. The conditions are re-checked in the
 * UPDATE itself, so an import posted at the same moment wins or loses cleanly.
 */
export async function expireHeldUpload(db: Executor, id: string, before: Date): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ state: 'expired', file_deleted_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('updated_at', '<', before)
    .where(heldForReview)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Uploads whose finish was never recorded as a queued job (the hook failed midway). */
export async function findUploadsWithoutJob(db: Executor, limit: number): Promise<Upload[]> {
  return (
    db
      .selectFrom('uploads')
      .selectAll()
      .where('state', 'in', ['uploading', 'uploaded'])
      .where(notPartial)
      .where((eb) => eb.not(hasJob(eb)))
      // A held upload has no job on purpose; left in, a page of them would hide the ones that need one.
      .where((eb) => eb.not(eb.and([eb('state', '=', 'uploaded'), eb(asksForReview, '=', true)])))
      .orderBy('created_at')
      .limit(limit)
      .execute()
  );
}
