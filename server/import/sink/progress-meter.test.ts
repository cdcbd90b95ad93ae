import { describe, expect, it } from 'vitest';
import { createProgressMeter } from './progress-meter.ts';
import { RowOrigins } from './row-origins.ts';

describe('createProgressMeter', () => {
  it('measures rate and ETA over this attempt only', () => {
    let now = 1_000;
    const measure = createProgressMeter(() => now);
    now += 2_000;
    const checkpoint = { byteOffset: 600, recordNumber: 50, lineNumber: 51, columns: ['a'], rowsRejected: 5 };
    const batch = {
      origins: new RowOrigins(),
      rowCount: 45,
      errors: [],
      checkpoint,
      bytesDone: 600,
      bytesTotal: 1_000,
      attemptStartOffset: 400,
    };
    expect(measure(batch)).toEqual({
      bytesDone: 600,
      bytesTotal: 1_000,
      rowsDone: 45,
      rowsRejected: 5,
      rate: 100,
      etaSeconds: 4,
    });
  });
});
