// Turns a batch into the JobProgress shown to users: bytes, rows, and a rate
// and ETA measured over this attempt only, so a resume does not inflate them.
import type { JobProgress } from '../../../db/schema.ts';
import { rowsRejectedIn } from '../import-checkpoint.ts';
import type { BatchSummary } from './batch-sink.ts';

export type ProgressMeter = (batch: BatchSummary) => JobProgress;

/** Starts the clock now: create the meter when the attempt starts (with its sink). */
export function createProgressMeter(now: () => number = () => performance.now()): ProgressMeter {
  const startedAt = now();
  return (batch) => {
    const seconds = (now() - startedAt) / 1000;
    const bytesThisAttempt = batch.bytesDone - (batch.attemptStartOffset ?? 0);
    const rate = seconds > 0 ? Math.round(bytesThisAttempt / seconds) : 0;
    const rowsRejected = rowsRejectedIn(batch.checkpoint);
    return {
      bytesDone: batch.bytesDone,
      bytesTotal: batch.bytesTotal,
      rowsDone: batch.checkpoint.recordNumber - rowsRejected,
      rowsRejected,
      rate,
      etaSeconds: rate > 0 ? Math.ceil(Math.max(batch.bytesTotal - batch.bytesDone, 0) / rate) : null,
    };
  };
}
