// Appends a batch to an allowed existing table. The rows first go by COPY
// into a temporary staging table of text columns (nothing there can refuse
// them), then one INSERT … SELECT casts them to the table's types and applies
// the conflict rule (`error`, `skip`: ON CONFLICT DO NOTHING, `update`: the
// last row of a key wins). When PostgreSQL refuses the INSERT, the range is
// split in halves until the refused rows are found: each becomes a row error
// and the rest of the batch is loaded.
import type { Batch, RowError } from '../sink/batch-sink.ts';
import type { CopyCsvFormat } from '../sink/copy-csv.ts';
import type { BatchTransaction } from '../sink/write-batch.ts';
import type { Destination } from './destination.ts';
import { tableOf } from './destination-sql.ts';
import { isRowRefusal, refusedRowError } from './refused-rows.ts';
import { quoteIdentifier } from './sql-names.ts';

const STAGING = 'import_staging';

export async function appendToExistingTable(
  tx: BatchTransaction,
  destination: Destination,
  batch: Batch,
): Promise<RowError[]> {
  const staged = destination.columns.map((_, i) => `v${i + 1}`);
  await tx.query(`DROP TABLE IF EXISTS pg_temp.${STAGING}`);
  await tx.query(
    `CREATE TEMP TABLE ${STAGING} (record_number bigint, ${staged.map((v) => `${v} text`).join(', ')}) ON COMMIT DROP`,
  );
  const sent: Uint8Array[] = [];
  const recording = (async function* () {
    for await (const piece of batch.rows) {
      sent.push(piece);
      yield piece;
    }
  })();
  try {
    await tx.copy(`${STAGING} (record_number, ${staged.join(', ')})`, batch.format, recording);
  } finally {
    for (const piece of sent) batch.reuse(piece);
  }
  const { origins } = await batch.summary;
  const insert = insertStatement(destination, staged);
  const refused: RowError[] = [];

  /** Inserts the rows at batch positions [from, to); a refusal splits the range until the refused row is alone. */
  async function insertRange(from: number, to: number): Promise<void> {
    if (from >= to) return;
    await tx.query('SAVEPOINT append_rows');
    try {
      await tx.query(insert, [origins.recordNumber(from), origins.recordNumber(to - 1)]);
      await tx.query('RELEASE SAVEPOINT append_rows');
    } catch (error) {
      if (!isRowRefusal(error)) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT append_rows');
      await tx.query('RELEASE SAVEPOINT append_rows');
      if (to - from === 1) {
        refused.push(
          refusedRowError(
            error,
            origins,
            from,
            destination,
            await stagedValues(tx, staged, origins.recordNumber(from), batch.format),
          ),
        );
        return;
      }
      const middle = from + Math.floor((to - from) / 2);
      await insertRange(from, middle);
      await insertRange(middle, to);
    }
  }

  await insertRange(0, origins.count);
  return refused;
}

function insertStatement(destination: Destination, staged: string[]): string {
  const columns = destination.columns.map((c) => quoteIdentifier(c.column));
  const values = destination.columns.map((c, i) => `CAST(${staged[i]} AS ${c.sqlType}) AS ${columns[i]}`);
  let rows = `SELECT ${values.join(', ')}, record_number FROM pg_temp.${STAGING} WHERE record_number BETWEEN $1 AND $2`;
  let conflict = '';
  if (destination.onConflict !== 'error') {
    const key = destination.conflictColumns.map(quoteIdentifier);
    if (destination.onConflict === 'skip') conflict = ` ON CONFLICT (${key.join(', ')}) DO NOTHING`;
    else {
      // One statement may not update a row twice: of the rows sharing a key, the file's last one wins.
      rows = `SELECT DISTINCT ON (${key.join(', ')}) * FROM (${rows}) AS cast_rows ORDER BY ${key.join(', ')}, record_number DESC`;
      const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
      conflict = ` ON CONFLICT (${key.join(', ')}) ${updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
    }
  }
  return `INSERT INTO ${tableOf(destination)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM (${rows}) AS incoming ORDER BY record_number${conflict}`;
}

/** The staged values of one record as CSV fields, as COPY had them (for the row error's raw text). */
async function stagedValues(
  tx: BatchTransaction,
  staged: string[],
  recordNumber: number,
  format: CopyCsvFormat,
): Promise<string | null> {
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const quote = literal(format.quote);
  const doubled = literal(format.quote + format.quote);
  const fields = staged.map((v) => `coalesce(${quote} || replace(${v}, ${quote}, ${doubled}) || ${quote}, '\\N')`);
  const { rows } = await tx.query(
    `SELECT concat_ws(${literal(format.delimiter)}, ${fields.join(', ')}) AS line FROM pg_temp.${STAGING} WHERE record_number = $1`,
    [recordNumber],
  );
  return rows[0] ? String(rows[0].line) : null;
}
