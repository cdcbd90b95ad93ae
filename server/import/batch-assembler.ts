// Turns parsed records into batches: names the header, numbers the records,
// sets ragged rows aside as row errors and cuts a batch at its row or byte cap.
import type { Batch, ImportCheckpoint, ImportedRow, RowError } from './batch-sink.ts';
import { nameColumns } from './column-names.ts';
import type { ParsedRecord } from './offset-parser.ts';
import type { RecordLocator } from './record-locator.ts';

export interface AssemblerStart {
  /** Header names from a checkpoint; null when the next record is the header. */
  columns: string[] | null;
  recordNumber: number;
  rowsRejected: number;
  byteOffset: number;
}

export interface BatchLimits {
  rows: number;
  bytes: number;
}

export class BatchAssembler {
  #columns: string[] | null;
  #protoColumn = false;
  #recordNumber: number;
  #rowsRejected: number;
  #rows: ImportedRow[] = [];
  #errors: RowError[] = [];
  #batchStart: number;
  #end: number;

  constructor(
    start: AssemblerStart,
    private readonly limits: BatchLimits,
    private readonly locator: RecordLocator,
  ) {
    this.#columns = start.columns;
    this.#protoColumn = start.columns?.includes('__proto__') ?? false;
    this.#recordNumber = start.recordNumber;
    this.#rowsRejected = start.rowsRejected;
    this.#batchStart = start.byteOffset;
    this.#end = start.byteOffset;
  }

  get columns(): string[] {
    return this.#columns ?? [];
  }

  get recordNumber(): number {
    return this.#recordNumber;
  }

  get rowsRejected(): number {
    return this.#rowsRejected;
  }

  /** Records waiting for the next batch. */
  get pending(): number {
    return this.#rows.length + this.#errors.length;
  }

  get isFull(): boolean {
    return this.pending >= this.limits.rows || this.#end - this.#batchStart >= this.limits.bytes;
  }

  add(record: ParsedRecord, fileOffset: number): void {
    const end = fileOffset + record.end;
    const columns = this.#columns;
    if (columns === null) {
      this.locator.skip(end);
      this.#columns = nameColumns(record.fields);
      this.#protoColumn = this.#columns.includes('__proto__');
      this.#batchStart = end;
      this.#end = end;
      return;
    }
    const recordNumber = ++this.#recordNumber;
    const { fields } = record;
    this.#end = end;
    if (fields.length !== columns.length) {
      const { line, raw } = this.locator.take(end);
      const message = `expected ${columns.length} columns, found ${fields.length}`;
      this.#errors.push({ recordNumber, lineNumber: line, column: null, message, raw });
      this.#rowsRejected++;
      return;
    }
    this.locator.skip(end);
    const data: Record<string, string> = {};
    if (this.#protoColumn) {
      // Plain assignment to "__proto__" would set the prototype instead of a key.
      for (let i = 0; i < columns.length; i++)
        Object.defineProperty(data, columns[i], {
          value: fields[i],
          enumerable: true,
          writable: true,
          configurable: true,
        });
    } else {
      for (let i = 0; i < columns.length; i++) data[columns[i]] = fields[i];
    }
    this.#rows.push({ recordNumber, data });
  }

  /** Hands over the pending records with the checkpoint just after the last of them. */
  take(bytesTotal: number, attemptStartOffset: number): Batch {
    const checkpoint: ImportCheckpoint = {
      byteOffset: this.#end,
      recordNumber: this.#recordNumber,
      lineNumber: this.locator.line,
      columns: this.columns,
      rowsRejected: this.#rowsRejected,
    };
    const batch: Batch = {
      rows: this.#rows,
      errors: this.#errors,
      checkpoint,
      bytesDone: this.#end,
      bytesTotal,
      attemptStartOffset,
    };
    this.#rows = [];
    this.#errors = [];
    this.#batchStart = this.#end;
    return batch;
  }
}
