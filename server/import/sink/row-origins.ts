// Where each row of a batch came from: its record and line number, by its
// position in the batch's COPY input. Kept in typed arrays because a batch
// holds up to 50,000 rows and two growing JS arrays per batch cost the worker
// a tenth of its time (pushes and the collections they caused).

const FIRST_CAPACITY = 1024;

export class RowOrigins {
  #records = new Float64Array(FIRST_CAPACITY);
  #lines = new Float64Array(FIRST_CAPACITY);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  add(recordNumber: number, lineNumber: number): void {
    if (this.#count === this.#records.length) this.#grow();
    this.#records[this.#count] = recordNumber;
    this.#lines[this.#count] = lineNumber;
    this.#count++;
  }

  /** The record number of the row at `index` (0 = the batch's first row). */
  recordNumber(index: number): number {
    return this.#at(this.#records, index);
  }

  /** The line the row at `index` starts on. */
  lineNumber(index: number): number {
    return this.#at(this.#lines, index);
  }

  /** Every row's record numbers, in order (for tests and small batches). */
  recordNumbers(): number[] {
    return Array.from(this.#records.subarray(0, this.#count));
  }

  lineNumbers(): number[] {
    return Array.from(this.#lines.subarray(0, this.#count));
  }

  #at(values: Float64Array, index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#count)
      throw new RangeError(`No row ${index} in a batch of ${this.#count}`);
    return values[index] as number;
  }

  #grow(): void {
    const records = new Float64Array(this.#records.length * 2);
    const lines = new Float64Array(this.#lines.length * 2);
    records.set(this.#records);
    lines.set(this.#lines);
    this.#records = records;
    this.#lines = lines;
  }
}
