// The committer's flow control and ordering, with sinks written here: the
// database paths behind it are exercised by the import tests on both databases.
import { describe, expect, it } from 'vitest';
import { ImportCancelledError } from '../import-errors.ts';
import { BatchCommitter, MAX_QUEUED_PIECES } from './batch-committer.ts';
import { type Batch, type BatchSink, type BatchSummary, LeaseLostError } from './batch-sink.ts';
import { RowOrigins } from './row-origins.ts';

const COPY_FORMAT = { delimiter: ',', quote: '"', verbatim: true };

function summary(rowCount: number, recordNumber: number): BatchSummary {
  const checkpoint = { byteOffset: recordNumber * 10, recordNumber, lineNumber: recordNumber + 1, columns: ['a'] };
  return {
    rowCount,
    origins: new RowOrigins(),
    errors: [],
    checkpoint,
    bytesDone: recordNumber * 10,
    bytesTotal: 1000,
  };
}

const piece = (text: string) => Buffer.from(text);
const noColumns = () => ({ names: ['a'], types: ['text' as const], headers: ['a'] });
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A sink that reads each batch when `release()` allows, and records what it saw. */
function recordingSink() {
  const seen: Array<{ text: string; summary: BatchSummary }> = [];
  let active = 0;
  let mostActive = 0;
  let gate = Promise.resolve();
  let open: () => void = () => {};
  const sink: BatchSink = {
    async commitBatch(batch: Batch) {
      active++;
      mostActive = Math.max(mostActive, active);
      const parts: string[] = [];
      for await (const part of batch.rows) {
        await gate;
        parts.push(Buffer.from(part).toString());
        batch.reuse(part);
      }
      seen.push({ text: parts.join(''), summary: await batch.summary });
      active--;
      return { refused: 0 };
    },
  };
  return {
    sink,
    seen,
    mostActive: () => mostActive,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

/** A committer given three one-row batches (records 1, 2, 3), once the sink had its turns to start them. */
async function threeBatchesBegun(sink: BatchSink): Promise<BatchCommitter> {
  const committer = new BatchCommitter(sink, COPY_FORMAT, undefined, () => {}, noColumns);
  for (const record of [1, 2, 3]) {
    committer.write(piece(`${record}`));
    committer.close(summary(1, record));
  }
  await tick();
  await tick();
  return committer;
}

describe('BatchCommitter', () => {
  it('streams each batch to the sink and, by default, commits batches one after another, in order', async () => {
    const recording = recordingSink();
    const reused: Uint8Array[] = [];
    const committer = new BatchCommitter(
      recording.sink,
      COPY_FORMAT,
      undefined,
      (part) => reused.push(part),
      noColumns,
    );
    committer.write(piece('a1 '));
    committer.write(piece('a2 '));
    committer.close(summary(2, 2));
    committer.write(piece('b1 '));
    committer.close(summary(1, 3));
    committer.close(summary(0, 5));
    await committer.settle();
    expect(recording.seen).toEqual([
      { text: 'a1 a2 ', summary: summary(2, 2) },
      { text: 'b1 ', summary: summary(1, 3) },
      { text: '', summary: summary(0, 5) },
    ]);
    expect(recording.mostActive()).toBe(1);
    expect(reused.map((part) => Buffer.from(part).toString())).toEqual(['a1 ', 'a2 ', 'b1 ']);
  });

  it('makes the import wait while more pieces are queued than the database has taken', async () => {
    const recording = recordingSink();
    recording.hold();
    const committer = new BatchCommitter(recording.sink, COPY_FORMAT, undefined, () => {}, noColumns);
    for (let i = 0; i <= MAX_QUEUED_PIECES + 1; i++) committer.write(piece(`${i} `));
    expect(committer.isBehind).toBe(true);
    let waited = false;
    const waiting = committer.backpressure().then(() => {
      waited = true;
    });
    await tick();
    expect(waited).toBe(false);
    recording.release();
    await waiting;
    expect(committer.isBehind).toBe(false);
    committer.close(summary(MAX_QUEUED_PIECES + 2, MAX_QUEUED_PIECES + 2));
    await committer.settle();
    expect(recording.seen[0]?.text).toBe(Array.from({ length: MAX_QUEUED_PIECES + 2 }, (_, i) => `${i} `).join(''));
  });

  it('stops the import mid-batch once a sink refuses (lost lease), without waiting on rows nobody reads', async () => {
    let calls = 0;
    const refusing: BatchSink = {
      async commitBatch() {
        calls++;
        return false;
      },
    };
    const committer = new BatchCommitter(refusing, COPY_FORMAT, undefined, () => {}, noColumns);
    for (let i = 0; i < MAX_QUEUED_PIECES * 3; i++) committer.write(piece('x'));
    await expect(committer.backpressure()).rejects.toThrow(LeaseLostError);
    // Nothing after the refused batch reaches the sink: it would record a checkpoint past lost rows.
    committer.close(summary(1, 1));
    committer.write(piece('y'));
    committer.close(summary(1, 2));
    await expect(committer.settle()).rejects.toThrow(LeaseLostError);
    expect(calls).toBe(1);
  });

  it('ends the rows of an abandoned batch with an error, so its transaction rolls back, and lets completed ones commit', async () => {
    const outcomes: string[] = [];
    const sink: BatchSink = {
      async commitBatch(batch) {
        try {
          for await (const _ of batch.rows);
          const { rowCount } = await batch.summary;
          outcomes.push(`committed ${rowCount}`);
          return { refused: 0 };
        } catch (error) {
          outcomes.push(`rolled back: ${(error as Error).name}`);
          throw error;
        }
      },
    };
    const committer = new BatchCommitter(sink, COPY_FORMAT, undefined, () => {}, noColumns);
    committer.write(piece('complete'));
    committer.close(summary(1, 1));
    committer.write(piece('half'));
    await committer.abandon();
    expect(outcomes).toEqual(['committed 1', 'rolled back: BatchAbandoned']);
  });

  it('reports an abort at the next batch boundary, after the batches before it', async () => {
    const recording = recordingSink();
    const controller = new AbortController();
    const committer = new BatchCommitter(recording.sink, COPY_FORMAT, controller.signal, () => {}, noColumns);
    committer.write(piece('first'));
    controller.abort();
    // Mid-batch, an abort does not stop the reading: only failures do.
    await committer.backpressure();
    committer.close(summary(1, 1));
    expect(() => committer.throwIfStopped()).toThrow(ImportCancelledError);
    await committer.abandon();
    expect(recording.seen.map((batch) => batch.text)).toEqual(['first']);
  });

  it('loads two batches at once where the sink allows it, after the first, and commits them in file order', async () => {
    const events: string[] = [];
    const gates = new Map<number, () => void>();
    const sink: BatchSink = {
      concurrentBatches: 2,
      async commitBatch(batch) {
        const { checkpoint } = await batch.summary;
        const name = checkpoint.recordNumber;
        events.push(`load ${name}`);
        for await (const _ of batch.rows);
        // Batch 2 loads slowly: batch 3 must not commit before it, even though its rows are in first.
        if (name === 2) await new Promise<void>((resolve) => gates.set(2, resolve));
        await batch.earlierCommitted;
        events.push(`commit ${name}`);
        return { refused: name === 2 ? 1 : 0 };
      },
    };
    const committer = await threeBatchesBegun(sink);
    // Batch 1 ran alone (it creates the table); then 2 and 3 load together.
    expect(events).toEqual(['load 1', 'commit 1', 'load 2', 'load 3']);
    gates.get(2)?.();
    await committer.settle();
    expect(events).toEqual(['load 1', 'commit 1', 'load 2', 'load 3', 'commit 2', 'commit 3']);
    expect(committer.refusedByDatabase).toBe(1);
  });

  it('never commits a batch loading beside one that failed: its checkpoint would skip lost rows', async () => {
    const outcomes: string[] = [];
    let failSecond: (error: Error) => void = () => {};
    const sink: BatchSink = {
      concurrentBatches: 2,
      async commitBatch(batch) {
        const { checkpoint } = await batch.summary;
        for await (const _ of batch.rows);
        if (checkpoint.recordNumber === 2)
          await new Promise<void>((_, reject) => {
            failSecond = reject;
          });
        try {
          await batch.earlierCommitted;
        } catch (error) {
          outcomes.push(`${checkpoint.recordNumber} rolled back: ${(error as Error).message}`);
          throw error;
        }
        outcomes.push(`${checkpoint.recordNumber} committed`);
        return { refused: 0 };
      },
    };
    const committer = await threeBatchesBegun(sink);
    failSecond(new Error('connection terminated'));
    await expect(committer.settle()).rejects.toThrow('connection terminated');
    expect(outcomes).toEqual(['1 committed', '3 rolled back: connection terminated']);
  });

  it('passes a commit failure on to the import', async () => {
    const failing: BatchSink = {
      async commitBatch(batch) {
        for await (const _ of batch.rows) throw new Error('connection terminated');
        return { refused: 0 };
      },
    };
    const committer = new BatchCommitter(failing, COPY_FORMAT, undefined, () => {}, noColumns);
    committer.write(piece('x'));
    await tick();
    await expect(committer.backpressure()).rejects.toThrow('connection terminated');
    await committer.abandon();
  });
});
