// The summary printed when every file is done: plain text columns, one row per
// file, readable in a terminal and easy to grep in a log.
import type { FileResult } from './file-result.ts';
import { formatBytes } from './format-units.ts';

function detail(result: FileResult): string {
  const notes: string[] = [];
  if (result.table) notes.push(`into ${result.table}`);
  if (result.error) notes.push(result.error.split('\n')[0] ?? '');
  if (result.errorReportUrl) notes.push(`errors: ${result.errorReportUrl}`);
  if (result.previewUrl) notes.push(`review: ${result.previewUrl}, then POST …/import`);
  if (result.restarted) notes.push('restarted: file changed since the interrupted run');
  else if (result.resumedFrom > 0) notes.push(`resumed at ${formatBytes(result.resumedFrom)}`);
  return notes.join('; ');
}

export function formatSummaryTable(results: FileResult[]): string {
  const rows = [
    ['FILE', 'STATUS', 'SIZE', 'ROWS', 'REJECTED', 'DETAIL'],
    ...results.map((r) => [
      r.file,
      r.status,
      formatBytes(r.size),
      r.rowsImported === null ? '-' : String(r.rowsImported),
      r.rowsRejected === null ? '-' : String(r.rowsRejected),
      detail(r),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  // Warnings under the table: each is a sentence, too long for a column.
  const warnings = results.flatMap((r) => r.warnings.map((warning) => `warning: ${r.file}: ${warning}`));
  if (warnings.length > 0) lines.push('', ...warnings);
  const failed = results.filter((r) => r.status === 'upload-failed' || r.status === 'import-failed').length;
  lines.push('', `${results.length - failed} of ${results.length} file(s) done${failed ? `, ${failed} failed` : ''}`);
  return `${lines.join('\n')}\n`;
}
