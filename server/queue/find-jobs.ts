// Reads of the jobs table for the API (the worker's operations live in their own files).
import type { Job } from '../../db/schema.ts';
import type { Executor } from '../uploads/upload-repository.ts';

export async function findJobForUpload(db: Executor, uploadId: string): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
}

export async function findJobsForUploads(db: Executor, uploadIds: string[]): Promise<Map<string, Job>> {
  if (uploadIds.length === 0) return new Map();
  const jobs = await db.selectFrom('jobs').selectAll().where('upload_id', 'in', uploadIds).execute();
  return new Map(jobs.map((job) => [job.upload_id, job]));
}
