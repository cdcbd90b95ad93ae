// The one way API routes fetch an upload: the owner's own, or a 404 that reads
// exactly like an id that never existed.

import type { Kysely } from 'kysely';
import type { Database, Upload } from '../../db/schema.ts';
import { notFound } from '../errors.ts';
import { isValidUploadId } from './upload-id.ts';
import { findOwnedUpload } from './upload-repository.ts';

export async function requireOwnedUpload(db: Kysely<Database>, owner: string, id: string): Promise<Upload> {
  const upload = isValidUploadId(id) ? await findOwnedUpload(db, owner, id) : undefined;
  if (!upload) throw notFound();
  return upload;
}

/** The owner of an upload id, or undefined for none: for the tus layer, which compares and remembers it. */
export async function findUploadOwner(db: Kysely<Database>, id: string): Promise<string | undefined> {
  if (!isValidUploadId(id)) return undefined;
  const row = await db.selectFrom('uploads').select('owner').where('id', '=', id).executeTakeFirst();
  return row?.owner;
}
