// Cancels an upload's import. A queued job is cancelled at once; a running one
// is cancelled in the table and its worker notices at its next batch commit
// or heartbeat (both require state = 'running'), so it stops at a batch
// boundary with every committed row kept. The bytes are still there and
// importable: the upload is back to `uploaded`.
import type { Executor } from '../uploads/upload-repository.ts';
import { moveJob } from './move-job.ts';

export function cancelJob(db: Executor, uploadId: string): Promise<boolean> {
  return moveJob(db, uploadId, {
    from: ['queued', 'running'],
    set: { state: 'cancelled', locked_by: null, locked_until: null, finished_at: new Date() },
    uploadState: 'uploaded',
  });
}
