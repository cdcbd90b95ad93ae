import { describe, expect, it } from 'vitest';
import { RowOrigins } from './row-origins.ts';

describe('RowOrigins', () => {
  it('keeps every row’s record and line number past its first capacity, in order', () => {
    const origins = new RowOrigins();
    // More rows than the first arrays hold, with gaps (rejected records, multi-line records).
    for (let row = 0; row < 5000; row++) origins.add(row * 2 + 1, row * 3 + 2);
    expect(origins.count).toBe(5000);
    expect(origins.recordNumber(0)).toBe(1);
    expect(origins.lineNumber(0)).toBe(2);
    expect(origins.recordNumber(4999)).toBe(9999);
    expect(origins.lineNumber(4999)).toBe(14999);
    expect(origins.recordNumbers().slice(1023, 1026)).toEqual([2047, 2049, 2051]);
    expect(origins.lineNumbers()).toHaveLength(5000);
  });

  it('holds record numbers up to 2^53 exactly and refuses a row it does not have', () => {
    const origins = new RowOrigins();
    origins.add(Number.MAX_SAFE_INTEGER, 1);
    expect(origins.recordNumber(0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => origins.recordNumber(1)).toThrow(RangeError);
    expect(() => origins.lineNumber(-1)).toThrow(RangeError);
    expect(new RowOrigins().recordNumbers()).toEqual([]);
  });
});
