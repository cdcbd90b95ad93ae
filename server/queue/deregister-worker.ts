// Removes a worker process that stops cleanly, after it handed its jobs back:
// the liveness sweep need not look at it again.
import type { Executor } from '../uploads/upload-repository.ts';

export async function deregisterWorker(db: Executor, workerId: string): Promise<void> {
  await db.deleteFrom('workers').where('id', '=', workerId).execute();
}
