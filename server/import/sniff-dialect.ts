// Finds a CSV sample's dialect: delimiter, quote, line ending, header row and
// title lines above it, by splitting the sample every plausible way (quotes
// respected) and keeping the split whose rows agree on their field count.
import { looksTyped } from './sniff-header.ts';

export type Delimiter = ',' | ';' | '\t' | '|';
export type QuoteChar = '"' | "'";

export interface Dialect {
  delimiter: string;
  quote: QuoteChar;
  lineEnding: '\r\n' | '\n' | '\r';
  /** Whether the first row (after title lines) names the columns. */
  header: boolean;
  /** Lines above the header that are not part of the table, e.g. a report title. */
  titleLines: string[];
}

export interface SniffOverrides {
  delimiter?: string;
  header?: boolean;
}

const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];
// Enough rows to judge consistency; a 64 KiB sample usually holds more.
const MAX_ROWS = 200;
const MAX_TITLE_LINES = 3;

/** Splits `text` into rows of fields the way csv-parse would (RFC 4180 quoting). */
export function splitSample(text: string, delimiter: string, quote: string, maxRows = MAX_ROWS): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const char = text[i];
    if (quoted) {
      if (char !== quote) field += char;
      else if (text[i + 1] === quote) {
        field += quote;
        i++;
      } else quoted = false;
      continue;
    }
    if (char === quote && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (char === delimiter) {
      row.push(field);
      field = '';
      atFieldStart = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      // Blank lines are skipped by the parser too.
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
    } else {
      field += char;
      atFieldStart = false;
    }
  }
  return rows;
}

interface Candidate {
  delimiter: string;
  quote: QuoteChar;
  rows: string[][];
  fieldCount: number;
  score: number;
}

function modeOf(counts: number[]): number {
  const tally = new Map<number, number>();
  for (const count of counts) tally.set(count, (tally.get(count) ?? 0) + 1);
  let best = 1;
  let bestTally = 0;
  for (const [count, seen] of tally)
    if (seen > bestTally || (seen === bestTally && count > best)) [best, bestTally] = [count, seen];
  return best;
}

function evaluate(rows: string[][], delimiter: string, quote: QuoteChar): Candidate {
  const fieldCount = modeOf(rows.map((row) => row.length));
  const agreeing = rows.filter((row) => row.length === fieldCount).length;
  // A split that yields one column everywhere says nothing about this delimiter.
  const score = fieldCount > 1 && rows.length > 0 ? agreeing / rows.length : 0;
  return { delimiter, quote, rows, fieldCount, score };
}

/** Quoted fields bounded by a delimiter or line end: evidence that `quote` is the quote character. */
function quotedFieldCount(text: string, delimiter: string, quote: string): number {
  const d = delimiter === '|' ? '\\|' : delimiter;
  const q = quote;
  const pattern = new RegExp(`(^|[${d}\\r\\n])${q}[^${q}]*${q}(?=[${d}\\r\\n]|$)`, 'g');
  return text.match(pattern)?.length ?? 0;
}

/**
 * `text` is the decoded sample; `complete` says whether it is the whole file
 * (otherwise its last, probably cut, line is left out).
 */
export function sniffDialect(text: string, complete: boolean, overrides: SniffOverrides = {}): Dialect {
  const sample = complete ? text : text.slice(0, Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1) || text;
  const delimiters = overrides.delimiter ? [overrides.delimiter] : DELIMITERS;
  let best: Candidate | undefined;
  for (const delimiter of delimiters) {
    // The single quote only counts when it actually wraps fields and the double quote does not.
    const quotes: QuoteChar[] =
      quotedFieldCount(sample, delimiter, "'") > 0 && quotedFieldCount(sample, delimiter, '"') === 0
        ? ["'", '"']
        : ['"'];
    for (const quote of quotes) {
      const candidate = evaluate(splitSample(sample, delimiter, quote), delimiter, quote);
      const better =
        !best ||
        candidate.score > best.score + 1e-9 ||
        (Math.abs(candidate.score - best.score) <= 1e-9 && candidate.fieldCount > best.fieldCount);
      if (better) best = candidate;
    }
  }
  const chosen = best ?? evaluate([], ',', '"');
  const delimiter = chosen.score > 0 || overrides.delimiter ? chosen.delimiter : ',';
  const titleCount = countTitleLines(chosen.rows, chosen.fieldCount);
  const table = chosen.rows.slice(titleCount);
  const header = overrides.header ?? looksLikeHeader(table);
  return {
    delimiter,
    quote: chosen.quote,
    lineEnding: lineEndingOf(sample, chosen.quote),
    header,
    // A title is only told apart from a header when there is a header below it.
    titleLines: header ? chosen.rows.slice(0, titleCount).map((row) => row.join(delimiter)) : [],
  };
}

/**
 * Leading rows with a single non-empty cell above rows that agree on a wider
 * shape: "Sales report 2024" above the header, as Excel exports often have.
 */
function countTitleLines(rows: string[][], fieldCount: number): number {
  if (fieldCount < 2) return 0;
  let count = 0;
  while (count < MAX_TITLE_LINES && count < rows.length - 1) {
    const row = rows[count];
    const filled = row.filter((cell) => cell.trim() !== '').length;
    if (filled > 1 || row.length > fieldCount) break;
    count++;
  }
  const next = rows[count];
  return next && next.length === fieldCount ? count : 0;
}

/**
 * DuckDB's rule of thumb: the first row is a header unless, in some column,
 * the rows below hold typed values (numbers, dates, booleans) and the first
 * row's cell is such a value too. A table of text only keeps its header.
 */
export function looksLikeHeader(rows: string[][]): boolean {
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

function lineEndingOf(text: string, quote: string): Dialect['lineEnding'] {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === quote) quoted = !quoted;
    else if (!quoted && char === '\n') return '\n';
    else if (!quoted && char === '\r') return text[i + 1] === '\n' ? '\r\n' : '\r';
  }
  return '\n';
}
