// Where the table starts in a sniffed sample and whether it has a header: note
// lines above it (a report title, "# exported by …"), a spacer row, a header
// of blank names, a header row with one delimiter too many.
import { looksTyped } from './sniff-header.ts';

export interface TableShape {
  header: boolean;
  /** Leading records that are notes above the header, not rows. */
  titleLineCount: number;
  /** The header ends with an empty name that no data row has a field for. */
  headerTrailingDelimiter: boolean;
}

const MAX_TITLE_LINES = 5;

function filledCells(row: readonly string[]): number {
  return row.filter((cell) => cell.trim() !== '').length;
}

/** A leading record that cannot be the header of a table `width` fields wide. */
function isNoteLine(row: readonly string[], width: number): boolean {
  if (row.length > width + 1) return false;
  // "Sales report 2024,,": one filled cell. A header one name short is still a header, so notes are narrower than that.
  const filled = filledCells(row);
  if (filled === 1 && row.length <= width) return true;
  // A blank row as wide as the table is a spacer or a header of unnamed columns (isSpacer tells which).
  if (filled === 0 && row.length < width) return true;
  if (row.length < width - 1) return true;
  return row[0]?.trimStart().startsWith('#') === true && row.length !== width;
}

/** A row of blank cells above a row that reads as a header: a spacer, not the header itself. */
function isSpacer(rows: readonly string[][], index: number, width: number): boolean {
  const row = rows[index];
  return row.length >= width && filledCells(row) === 0 && looksLikeHeader(rows.slice(index + 1));
}

/** `rows` are the sample's records, `width` the field count most of them have. */
export function describeTableShape(rows: readonly string[][], width: number, declaredHeader?: boolean): TableShape {
  let count = 0;
  if (width >= 2) {
    while (count < MAX_TITLE_LINES && count < rows.length - 1) {
      if (!isNoteLine(rows[count], width) && !isSpacer(rows, count, width)) break;
      count++;
    }
    // The first row after the notes must fit the table (a trailing delimiter more or less).
    const first = rows[count];
    if (!first || Math.abs(first.length - width) > 1) count = 0;
  }
  const first = rows[count] ?? [];
  // A first row of blank names is a header whose columns are all unnamed, never a row of data.
  const header =
    declaredHeader ?? (filledCells(first) === 0 && first.length > 1 ? true : looksLikeHeader(rows.slice(count)));
  const headerTrailingDelimiter =
    header && width >= 1 && first.length === width + 1 && first[width].trim() === '' && rows.length > count + 1;
  return {
    header,
    // A note is only told apart from a header when there is a header below it.
    titleLineCount: header ? count : 0,
    headerTrailingDelimiter,
  };
}

/**
 * DuckDB's rule of thumb: the first row is a header unless, in some column,
 * the rows below hold typed values (numbers, dates, booleans) and the first
 * row's cell is such a value too. A table of text only keeps its header.
 */
export function looksLikeHeader(rows: readonly string[][]): boolean {
  const [first, ...rest] = rows;
  if (!first || rest.length === 0) return true;
  for (let column = 0; column < first.length; column++) {
    const below = rest.map((row) => row[column]?.trim() ?? '').filter((cell) => cell !== '');
    if (below.length === 0) continue;
    const kind = looksTyped(below[0]);
    if (kind === null || !below.every((cell) => looksTyped(cell) === kind)) continue;
    if (looksTyped(first[column]?.trim() ?? '') === kind) return false;
  }
  return true;
}
