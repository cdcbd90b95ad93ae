// Commits batches one at a time while the next one is being parsed, so the
// parser and the database work side by side with at most two batches in memory.
import { type Batch, type BatchSink, LeaseLostError } from './batch-sink.ts';
import { ImportCancelledError } from './import-errors.ts';

export class BatchCommitter {
  #inFlight: Promise<void> | undefined;
  #failure: unknown;

  constructor(
    private readonly sink: BatchSink,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Waits for the previous commit, then starts this one without waiting for it. */
  async submit(batch: Batch): Promise<void> {
    await this.settle();
    // The outcome is kept rather than left as an unhandled rejection while parsing goes on.
    this.#inFlight = this.sink.commitBatch(batch).then(
      (committed) => {
        // The sink has read the rows. After a failure it may not have (a broken connection
        // can still hold them queued), so their memory is then left to the garbage collector.
        batch.rows.release();
        if (!committed) this.#failure ??= new LeaseLostError();
      },
      (error: unknown) => {
        this.#failure ??= error;
      },
    );
  }

  /** Waits for the commit in flight; throws if it failed, the lease was lost or the import was aborted. */
  async settle(): Promise<void> {
    await this.drain();
    this.throwIfStopped();
  }

  /** Cheap check between parsed groups, so a lost lease or an abort stops the reading early. */
  throwIfStopped(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.signal?.aborted) throw new ImportCancelledError();
  }

  /** Lets the commit in flight finish (committed batches stay) without reporting its outcome. */
  async drain(): Promise<void> {
    const inFlight = this.#inFlight;
    this.#inFlight = undefined;
    await inFlight;
  }
}
