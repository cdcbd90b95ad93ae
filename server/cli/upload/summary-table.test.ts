import { describe, expect, it } from 'vitest';
import type { FileResult } from './file-result.ts';
import { formatBytes, formatDuration, formatRate } from './format-units.ts';
import { formatSummaryTable } from './summary-table.ts';
import { TransferMeter } from './transfer-meter.ts';

const base: FileResult = {
  file: 'a.csv',
  status: 'imported',
  id: 'abc',
  url: 'http://s/files/abc',
  size: 2048,
  resumedFrom: 0,
  restarted: false,
  checksum: 'sha256',
  rowsImported: 10,
  rowsRejected: 0,
  errorReportUrl: null,
  previewUrl: null,
  error: null,
  table: null,
  warnings: [],
};

describe('summary table', () => {
  it('lines up one row per file and counts failures', () => {
    const table = formatSummaryTable([
      base,
      { ...base, file: 'longer-name.csv', resumedFrom: 1024 * 1024 },
      {
        ...base,
        file: 'bad.csv',
        status: 'import-failed',
        rowsImported: null,
        rowsRejected: null,
        error: 'Unterminated quote at line 10\nmore',
        errorReportUrl: 'http://s/api/uploads/x/errors',
      },
    ]);
    expect(table).toBe(
      [
        'FILE             STATUS         SIZE     ROWS  REJECTED  DETAIL',
        'a.csv            imported       2.0 KiB  10    0',
        'longer-name.csv  imported       2.0 KiB  10    0         resumed at 1.0 MiB',
        'bad.csv          import-failed  2.0 KiB  -     -         Unterminated quote at line 10; errors: http://s/api/uploads/x/errors',
        '',
        '2 of 3 file(s) done, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('points a file held for review at its preview and counts it done', () => {
    const table = formatSummaryTable([
      {
        ...base,
        status: 'awaiting-review',
        rowsImported: null,
        rowsRejected: null,
        previewUrl: 'http://s/api/uploads/abc/preview',
      },
    ]);
    expect(table).toContain('awaiting-review');
    expect(table).toContain('review: http://s/api/uploads/abc/preview, then POST …/import');
    expect(table).toContain('1 of 1 file(s) done\n');
  });

  it('prints the warnings of an import that looks wrong under the table', () => {
    const table = formatSummaryTable([
      { ...base, rowsImported: 1, rowsRejected: 9, warnings: ['9 of 10 records were rejected'] },
    ]);
    expect(table.split('\n').slice(-5)).toEqual([
      '',
      'warning: a.csv: 9 of 10 records were rejected',
      '',
      '1 of 1 file(s) done',
      '',
    ]);
  });

  it('says when a file was restarted because it changed', () => {
    expect(formatSummaryTable([{ ...base, restarted: true, resumedFrom: 0 }])).toContain(
      'restarted: file changed since the interrupted run',
    );
  });
});

describe('units and meters', () => {
  it('formats sizes, rates and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatRate(2 * 1024 * 1024)).toBe('2.0 MiB/s');
    expect(formatDuration(null)).toBe('--');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(7300)).toBe('2h01m');
  });

  it('measures speed over a sliding window and derives the ETA', () => {
    let now = 0;
    const meter = new TransferMeter(1000, 100, () => now);
    expect(meter.etaSeconds()).toBeNull();
    now = 1000;
    meter.update(200);
    expect(meter.rate()).toBe(100);
    expect(meter.etaSeconds()).toBe(8);
    expect(meter.percentage()).toBe(20);
    // After a long stall the old fast samples leave the window.
    now = 20_000;
    meter.update(210);
    now = 21_000;
    meter.update(220);
    expect(meter.rate()).toBeLessThan(10);
    meter.addUntimed(500);
    expect(meter.bytes).toBe(720);
    expect(meter.rate()).toBeLessThan(10);
  });
});
