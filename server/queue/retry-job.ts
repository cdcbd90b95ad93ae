// Runs a failed or cancelled import again, now, with a fresh attempt budget.
// The checkpoint is kept, so it continues after the last committed batch;
// the history of attempt errors is kept too.
import type { Executor } from '../uploads/upload-repository.ts';
import { moveJob } from './move-job.ts';

export function retryJob(db: Executor, uploadId: string): Promise<boolean> {
  return moveJob(db, uploadId, {
    from: ['failed', 'cancelled'],
    set: { state: 'queued', attempts: 0, lost_workers: 0, run_at: new Date(), finished_at: null },
    uploadState: 'uploaded',
  });
}
