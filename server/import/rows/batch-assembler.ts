// Turns parsed records into batches: skips title lines, names the header,
// numbers the records, shapes rows (mapping, types), sets bad rows aside as
// row errors and cuts a batch at its row or byte cap. Rows leave at once as
// pieces of COPY text (to `emitRows`); the rest of a batch waits for take().

import type { StoredColumns } from '../destination/destination.ts';
import type { ImportCheckpoint } from '../import-checkpoint.ts';
import { ANY_FIELD, type ParsedRecord } from '../parse/csv-record-parser.ts';
import { fitRecordWidth, headerCells } from '../parse/record-width.ts';
import type { BatchSummary, RowError } from '../sink/batch-sink.ts';
import { CopyCsvBuffer, type CopyCsvFormat } from '../sink/copy-csv.ts';
import type { PiecePool } from '../sink/piece-pool.ts';
import type { ColumnMapping } from './column-mapping.ts';
import { describeHeader, type HeaderSummary } from './column-names.ts';
import { type ErrorPolicy, errorPolicyVerdict } from './error-policy.ts';
import { createRowShaper, isRowProblem, type RowShaper } from './row-shaper.ts';
import { ALWAYS_VERBATIM } from './verbatim-values.ts';

export interface AssemblerStart {
  /** Source column names from a checkpoint; null when the header is still to come. */
  columns: string[] | null;
  /** The header as the first attempt found it (from the checkpoint). */
  header: HeaderSummary | null;
  recordNumber: number;
  rowsRejected: number;
  /** Physical line the next record starts on. */
  lineNumber: number;
}

export interface AssemblerRules {
  /** Whether the first record (after title lines) is a header. */
  headerPresent: boolean;
  /** Title lines above the header, skipped when reading from the start. */
  titleLines: string[];
  /** The header row ends with one empty name more than the data rows have fields: that name is dropped. */
  headerTrailingDelimiter: boolean;
  mapping: ColumnMapping | null;
  errorPolicy: ErrorPolicy;
  /** How rows are written for COPY; with `verbatim`, records the parser found verbatim go as the file wrote them. */
  format: CopyCsvFormat;
  /** File offset of an offset in the parsed (UTF-8) stream: where a resumed read starts. */
  toSourceOffset(parsedOffset: number): number;
}

export interface BatchLimits {
  rows: number;
  bytes: number;
}

export class BatchAssembler {
  #header: HeaderSummary | null;
  #shaper: RowShaper | null = null;
  #titlesToSkip: number;
  #recordNumber: number;
  #rowsRejected: number;
  readonly #rows: CopyCsvBuffer;
  /** Whether verbatim records go as the file wrote them (the COPY format allows it). */
  readonly #sendsVerbatim: boolean;
  #errors: RowError[] = [];
  #batchStart = 0;
  #end = 0;
  /** Line after the last record added: the checkpoint's line. */
  #nextLine: number;
  /** Set when the error policy says the import must fail. */
  stopReason: string | null = null;

  constructor(
    start: AssemblerStart,
    private readonly limits: BatchLimits,
    private readonly rules: AssemblerRules,
    /** Receives the rows of the current batch as COPY text, a piece at a time. */
    emitRows: (piece: Buffer) => void,
    /** Where the pieces come from (and go back to once sent). */
    pieces: PiecePool,
  ) {
    this.#header = start.columns
      ? (start.header ?? { present: true, names: start.columns, renamed: [], titleLinesSkipped: [] })
      : null;
    this.#titlesToSkip = start.columns ? 0 : rules.titleLines.length;
    this.#recordNumber = start.recordNumber;
    this.#rowsRejected = start.rowsRejected;
    this.#nextLine = start.lineNumber;
    this.#rows = new CopyCsvBuffer(rules.format, emitRows, pieces);
    this.#sendsVerbatim = rules.format.verbatim;
    if (start.columns) this.#shaper = createRowShaper(start.columns, rules.mapping);
  }

  get header(): HeaderSummary | null {
    return this.#header;
  }

  get shaper(): RowShaper | null {
    return this.#shaper;
  }

  /** The stored columns with the header cell each comes from; null before the header was read. */
  get storedColumns(): StoredColumns | null {
    const shaper = this.#shaper;
    if (shaper === null) return null;
    const header = this.#header;
    const original = (index: number): string | null => {
      if (!header?.present) return null;
      const renamed = header.renamed.find((entry) => entry.position === index + 1);
      return renamed ? renamed.from : (header.names[index] ?? null);
    };
    return { names: shaper.names, types: shaper.types, headers: shaper.sources.map(original) };
  }

  get recordNumber(): number {
    return this.#recordNumber;
  }

  get rowsRejected(): number {
    return this.#rowsRejected;
  }

  /** Records waiting for the next batch. */
  get pending(): number {
    return this.#rows.count + this.#errors.length;
  }

  get isFull(): boolean {
    return this.pending >= this.limits.rows || this.#end - this.#batchStart >= this.limits.bytes;
  }

  /** `record.end` is an offset in the parsed stream, which toSourceOffset maps to the file. */
  add(record: ParsedRecord): void {
    const { end } = record;
    this.#nextLine = record.nextLine;
    if (this.#titlesToSkip > 0 || (this.#shaper === null && this.rules.headerPresent)) {
      this.#batchStart = end;
      this.#end = end;
      if (this.#titlesToSkip > 0) this.#titlesToSkip--;
      else this.#startTable(record.fields);
      return;
    }
    const shaper = this.#shaper ?? this.#startTable(record.fields);
    const recordNumber = ++this.#recordNumber;
    this.#end = end;
    if (record.problem !== null) {
      this.#reject(recordNumber, record, null, record.problem);
      return;
    }
    const width = this.#header?.names.length ?? 0;
    const check = shaper.verbatim;
    if (this.#sendsVerbatim && check !== null && record.fieldCount === width) {
      const verbatim = record.verbatim;
      // Without a mapping the check needs no fields: a verbatim record is never split.
      if (verbatim !== null && (check === ALWAYS_VERBATIM || check(record.fields))) {
        this.#rows.addVerbatim(recordNumber, record.line, verbatim);
        return;
      }
    }
    const fields = record.fields;
    const widthProblem = fitRecordWidth(fields, width);
    if (widthProblem !== null) {
      this.#reject(recordNumber, record, null, widthProblem);
      return;
    }
    const shaped = shaper.shape(fields);
    if (isRowProblem(shaped)) {
      this.#reject(recordNumber, record, shaped.column, shaped.message);
      return;
    }
    // The parser's escaping hints hold for the record's own fields, not for mapped, typed values.
    this.#rows.add(recordNumber, record.line, shaped, shaped === fields ? record.escapes : ANY_FIELD);
  }

  /** Checks the error policy once the whole file was read. */
  finish(): void {
    this.stopReason ??= errorPolicyVerdict(this.rules.errorPolicy, this.#recordNumber, this.#rowsRejected, true);
  }

  /** Emits the last rows of the batch and hands over the rest of it, with the checkpoint just after its last record. */
  take(bytesTotal: number, attemptStartOffset: number): BatchSummary {
    const byteOffset = this.rules.toSourceOffset(this.#end);
    const checkpoint: ImportCheckpoint = {
      byteOffset,
      recordNumber: this.#recordNumber,
      lineNumber: this.#nextLine,
      columns: this.#header?.names ?? [],
      storedColumns: this.#shaper?.names ?? [],
      rowsRejected: this.#rowsRejected,
      header: this.#header,
    };
    const origins = this.#rows.flush();
    const batch: BatchSummary = {
      rowCount: origins.count,
      origins,
      errors: this.#errors,
      checkpoint,
      bytesDone: byteOffset,
      bytesTotal,
      attemptStartOffset,
    };
    this.#errors = [];
    this.#batchStart = this.#end;
    return batch;
  }

  #startTable(record: readonly string[]): RowShaper {
    const first = headerCells(record, this.rules.headerTrailingDelimiter);
    this.#header = describeHeader(first, this.rules.headerPresent, this.rules.titleLines);
    // A mapping naming a column the file lacks throws here, before any row is written.
    this.#shaper = createRowShaper(this.#header.names, this.rules.mapping);
    return this.#shaper;
  }

  #reject(recordNumber: number, record: ParsedRecord, column: string | null, message: string): void {
    this.#errors.push({ recordNumber, lineNumber: record.line, column, message, raw: record.raw });
    this.#rowsRejected++;
    this.stopReason ??= errorPolicyVerdict(this.rules.errorPolicy, recordNumber, this.#rowsRejected, false);
  }
}
