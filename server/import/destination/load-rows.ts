// Loads a batch into the import's own table with one COPY, the pgloader way:
// rows go to COPY optimistically; when PostgreSQL refuses one (its error names
// the line), the rows before it are loaded, it becomes a row error, and COPY
// goes on with the rows after it. A bad value costs one row and one more COPY
// statement, never a slow path for the whole file.
import type { Batch, RowError } from '../sink/batch-sink.ts';
import type { CopyCsvFormat } from '../sink/copy-csv.ts';
import { copyRowAtLine, copyRowValues } from '../sink/copy-csv-rows.ts';
import type { RowOrigins } from '../sink/row-origins.ts';
import type { BatchTransaction } from '../sink/write-batch.ts';
import { type Destination, RECORD_NUMBER_COLUMN } from './destination.ts';
import { tableOf } from './destination-sql.ts';
import { refusedCopyLine, refusedRowError } from './refused-rows.ts';
import { quoteIdentifier } from './sql-names.ts';

/** `"imports"."t" ("record_number", "a", …)`: what COPY fills. */
export function copyColumnsOf(destination: Destination): string {
  const columns = [RECORD_NUMBER_COLUMN, ...destination.columns.map((c) => c.column)].map(quoteIdentifier);
  return `${tableOf(destination)} (${columns.join(', ')})`;
}

/**
 * COPYs the batch's rows into `into`; returns the rows PostgreSQL refused.
 * The pieces are kept until the COPY succeeded (a refusal needs them again)
 * and handed back for reuse after.
 */
export async function loadSettingAsideRefusedRows(
  tx: BatchTransaction,
  into: string,
  batch: Batch,
  destination: Destination,
): Promise<RowError[]> {
  const kept: Uint8Array[] = [];
  const iterator = batch.rows[Symbol.asyncIterator]();
  // No return(): a COPY that fails part way must not end the batch's stream, whose rest is still needed.
  const recording: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        const next = await iterator.next();
        if (!next.done) kept.push(next.value);
        return next;
      },
    }),
  };
  await tx.query('SAVEPOINT batch_rows');
  try {
    await tx.copy(into, batch.format, recording);
    return [];
  } catch (error) {
    if (refusedCopyLine(error) === null) throw error;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) kept.push(next.value);
    const { origins } = await batch.summary;
    return await loadAroundRefusals(tx, into, batch.format, Buffer.concat(kept), origins, destination, error);
  } finally {
    for (const piece of kept) batch.reuse(piece);
  }
}

async function loadAroundRefusals(
  tx: BatchTransaction,
  into: string,
  format: CopyCsvFormat,
  text: Buffer,
  origins: RowOrigins,
  destination: Destination,
  firstRefusal: unknown,
): Promise<RowError[]> {
  const refused: RowError[] = [];
  let rest = text;
  /** Index in the batch of the first row of `rest`. */
  let first = 0;
  let refusal: unknown = firstRefusal;
  for (;;) {
    const line = refusedCopyLine(refusal);
    if (line === null) throw refusal;
    await tx.query('ROLLBACK TO SAVEPOINT batch_rows');
    const row = copyRowAtLine(rest, line, format);
    if (row === null) throw refusal;
    // The rows before the refused one passed: COPY checks rows in order.
    if (row.start > 0) await tx.copy(into, format, once(rest.subarray(0, row.start)));
    refused.push(refusedRowError(refusal, origins, first + row.index, destination, copyRowValues(rest, row, format)));
    rest = rest.subarray(row.end);
    first += row.index + 1;
    if (rest.length === 0) return refused;
    await tx.query('SAVEPOINT batch_rows');
    try {
      await tx.copy(into, format, once(rest));
      return refused;
    } catch (error) {
      refusal = error;
    }
  }
}

async function* once(piece: Uint8Array): AsyncGenerator<Uint8Array> {
  yield piece;
}
