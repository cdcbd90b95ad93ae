// Records (or refreshes) a live worker process and the advisory lock key it
// holds. An upsert: a worker whose connection dropped may have been swept as
// dead meanwhile, and re-registers under the same id once it holds the lock again.
import { sql } from 'kysely';
import type { Executor } from '../uploads/upload-repository.ts';

export interface WorkerRegistration {
  id: string;
  lockKey: string;
  hostname: string;
  pid: number;
}

export async function registerWorker(db: Executor, worker: WorkerRegistration): Promise<void> {
  await db
    .insertInto('workers')
    .values({ id: worker.id, lock_key: worker.lockKey, hostname: worker.hostname, pid: worker.pid })
    .onConflict((oc) => oc.column('id').doUpdateSet({ lock_key: worker.lockKey, seen_at: sql`now()` }))
    .execute();
}
