// An upload and its job, read from one snapshot. A worker marks its job
// succeeded and the upload processed in one transaction; two separate reads
// can fall either side of that commit and show a finished job on an upload
// still "processing" (or without its sha256). REPEATABLE READ makes both
// SELECTs see the same committed state.
import type { Kysely } from 'kysely';
import type { Database, Job, Upload } from '../../db/schema.ts';
import { notFound } from '../errors.ts';
import { findJobForUpload, findJobsForUploads } from '../queue/find-jobs.ts';
import { isValidUploadId } from './upload-id.ts';
import { type Executor, findOwnedUpload, listOwnedUploads, type UploadPageCursor } from './upload-repository.ts';

export interface UploadWithJob {
  upload: Upload;
  job: Job | undefined;
}

function inOneSnapshot<T>(db: Kysely<Database>, read: (trx: Executor) => Promise<T>): Promise<T> {
  return db.transaction().setIsolationLevel('repeatable read').execute(read);
}

export async function findOwnedUploadWithJob(
  db: Kysely<Database>,
  owner: string,
  id: string,
): Promise<UploadWithJob | undefined> {
  if (!isValidUploadId(id)) return undefined;
  return inOneSnapshot(db, async (trx) => {
    const upload = await findOwnedUpload(trx, owner, id);
    return upload ? { upload, job: await findJobForUpload(trx, id) } : undefined;
  });
}

/** As findOwnedUploadWithJob, or the 404 that reads like an id that never existed. */
export async function requireOwnedUploadWithJob(
  db: Kysely<Database>,
  owner: string,
  id: string,
): Promise<UploadWithJob> {
  const found = await findOwnedUploadWithJob(db, owner, id);
  if (!found) throw notFound();
  return found;
}

export async function listOwnedUploadsWithJobs(
  db: Kysely<Database>,
  owner: string,
  limit: number,
  cursor: UploadPageCursor | null,
): Promise<UploadWithJob[]> {
  return inOneSnapshot(db, async (trx) => {
    const uploads = await listOwnedUploads(trx, owner, limit, cursor);
    const jobs = await findJobsForUploads(
      trx,
      uploads.map((u) => u.id),
    );
    return uploads.map((upload) => ({ upload, job: jobs.get(upload.id) }));
  });
}
