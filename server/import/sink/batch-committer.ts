// Streams each batch's rows to the sink while the file is read. Batches commit
// in file order; a sink that allows it (PostgreSQL, into the import's own
// table) streams the next batch's rows on a second connection while the one
// before is still loading, so PostgreSQL's COPY work uses both cores. The
// import loop waits whenever the database falls behind, so a worker holds a
// few pieces of COPY text per batch in flight, never a whole file.

import type { StoredColumns } from '../destination/destination.ts';
import { ImportCancelledError } from '../import-errors.ts';
import type { BatchSink, BatchSummary } from './batch-sink.ts';
import { LeaseLostError } from './batch-sink.ts';
import type { CopyCsvFormat } from './copy-csv.ts';
import { RowPieceQueue } from './row-piece-queue.ts';

/** Pieces of COPY text (256 KiB each) that may wait for the database before the import loop pauses. */
export const MAX_QUEUED_PIECES = 16;

interface OpenBatch {
  queue: RowPieceQueue;
  complete(summary: BatchSummary): void;
  abandon(error: unknown): void;
}

/** Why the open batch's rows end early: the import stopped while reading it. */
class BatchAbandoned extends Error {
  constructor() {
    super('The import stopped before this batch was complete');
    this.name = 'BatchAbandoned';
  }
}

export class BatchCommitter {
  #open: OpenBatch | null = null;
  /** Settles once every batch begun so far has committed (or been skipped after a failure). */
  #tail: Promise<void> = Promise.resolve();
  /** Resolves with the rows refused in every batch begun so far once all committed; rejects once one failed. */
  #allCommitted: Promise<number> = Promise.resolve(0);
  /** When each of the latest batches begun is done (settles, never rejects), at most `concurrentBatches` of them. */
  #recentDone: Promise<void>[] = [];
  #failure: { error: unknown } | null = null;
  #queuedPieces = 0;
  #pendingBatches = 0;
  #wakeWriter: (() => void) | null = null;
  #refusedByDatabase = 0;

  constructor(
    private readonly sink: BatchSink,
    /** The CSV format the rows are written in. */
    private readonly format: CopyCsvFormat,
    private readonly signal: AbortSignal | undefined,
    /** Where sent pieces go back to (the pool the rows are written into). */
    private readonly reuse: (piece: Uint8Array) => void,
    /** The stored columns, known once the header was read (before any batch begins). */
    private readonly columns: () => StoredColumns | null,
  ) {}

  /** Rows the database refused in committed batches (set aside as row errors by the sink). */
  get refusedByDatabase(): number {
    return this.#refusedByDatabase;
  }

  /** Adds a piece of rows to the batch being read, beginning it (and its commit) if none is open. */
  write(piece: Uint8Array): void {
    this.#current().queue.push(piece);
  }

  /** Completes the batch being read; with none open, begins and completes one without rows (row errors only). */
  close(summary: BatchSummary): void {
    const batch = this.#current();
    this.#open = null;
    batch.complete(summary);
  }

  /** Waits while the database is behind; throws as soon as a commit failed or the lease was lost. */
  async backpressure(): Promise<void> {
    while (this.#failure === null && this.isBehind) {
      await new Promise<void>((resolve) => {
        this.#wakeWriter = resolve;
      });
    }
    if (this.#failure) throw this.#failure.error;
  }

  /** Waits for every completed batch to commit; throws if one failed, the lease was lost or the import was aborted. */
  async settle(): Promise<void> {
    await this.#tail;
    this.throwIfStopped();
  }

  /** Checked at batch boundaries: an abort stops the import there, with the batches before it committed. */
  throwIfStopped(): void {
    if (this.#failure) throw this.#failure.error;
    if (this.signal?.aborted) throw new ImportCancelledError();
  }

  /** Gives up the batch being read (its transaction rolls back) and lets completed ones commit, without reporting how they did. */
  async abandon(): Promise<void> {
    const open = this.#open;
    this.#open = null;
    open?.abandon(new BatchAbandoned());
    await this.#tail;
  }

  get isBehind(): boolean {
    // Batches begun but not committed: those loading and the one being read (row errors wait in memory too).
    return this.#queuedPieces > MAX_QUEUED_PIECES || this.#pendingBatches > this.#concurrency + 1;
  }

  get #concurrency(): number {
    return Math.max(1, this.sink.concurrentBatches ?? 1);
  }

  #current(): OpenBatch {
    if (this.#open) return this.#open;
    const queue = new RowPieceQueue((change) => {
      this.#queuedPieces += change;
      if (change < 0) this.#wake();
    });
    let resolve: (summary: BatchSummary) => void = () => {};
    let reject: (error: unknown) => void = () => {};
    const summary = new Promise<BatchSummary>((settle, fail) => {
      resolve = settle;
      reject = fail;
    });
    // A sink that stops before reading the summary must not leave its rejection unhandled.
    summary.catch(() => {});
    const open: OpenBatch = {
      queue,
      complete(completed) {
        queue.end();
        resolve(completed);
      },
      abandon(error) {
        queue.fail(error);
        reject(error);
      },
    };
    this.#open = open;
    this.#pendingBatches++;
    const columns = this.columns() ?? { names: [], types: [], headers: [] };
    // A batch starts loading once the batch `concurrency` places before it is done or, while
    // fewer have begun, once the first is (it creates the table); it commits only after all before it.
    const earlier = this.#allCommitted;
    const turn = this.#recentDone.at(-this.#concurrency) ?? this.#recentDone[0];
    const own = Promise.resolve(turn).then(() => this.#commit(queue, summary, columns, earlier));
    const all = Promise.all([earlier, own]).then(([before, refused]) => before + refused);
    // Read by the next batch, or by nobody when this is the last: never unhandled.
    all.catch(() => {});
    this.#allCommitted = all;
    const done = own.then(
      () => {},
      () => {},
    );
    this.#recentDone.push(done);
    if (this.#recentDone.length > this.#concurrency) this.#recentDone.shift();
    this.#tail = Promise.all([this.#tail, done]).then(() => {});
    return open;
  }

  /** Commits one batch; resolves with the rows the database refused in it, rejects when it did not commit. */
  async #commit(
    queue: RowPieceQueue,
    summary: Promise<BatchSummary>,
    columns: StoredColumns,
    earlierCommitted: Promise<number>,
  ): Promise<number> {
    try {
      // After a failure nothing more is written: a later batch would record a checkpoint past lost rows.
      if (this.#failure) throw this.#failure.error;
      const committed = await this.sink.commitBatch({
        rows: queue,
        summary,
        reuse: this.reuse,
        columns,
        format: this.format,
        earlierCommitted,
      });
      if (committed === false) {
        this.#failure ??= { error: new LeaseLostError() };
        throw this.#failure.error;
      }
      this.#refusedByDatabase += committed.refused;
      return committed.refused;
    } catch (error) {
      this.#failure ??= { error };
      throw error;
    } finally {
      // Pieces the sink did not read (it gave up, or the batch is still being read) are dropped.
      queue.fail(this.#failure?.error ?? new BatchAbandoned());
      this.#pendingBatches--;
      this.#wake();
    }
  }

  #wake(): void {
    const wake = this.#wakeWriter;
    this.#wakeWriter = null;
    wake?.();
  }
}
