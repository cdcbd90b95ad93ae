// Finds a CSV sample's dialect: delimiter, quote, escape, line ending, header
// row and note lines above it. Every plausible dialect reads the sample with
// the import's own parser, and the one whose records agree on their width
// over the most lines wins (DuckDB's and CleverCSV's idea: judge the whole
// sample, so one odd quote or a note line cannot decide it).
import { CsvRecordParser, CsvSyntaxError, type ParsedRecord } from '../parse/csv-record-parser.ts';
import { describeTableShape } from './sniff-table-shape.ts';

export type Delimiter = ',' | ';' | '\t' | '|';
/** One character; '' when the file has no quoting and every quote is text. */
export type QuoteChar = string;
/** The quote itself when quotes are doubled (RFC 4180); '\\' for backslash escapes; '' without quoting. */
export type EscapeChar = string;

export interface Dialect {
  delimiter: string;
  quote: QuoteChar;
  escape: EscapeChar;
  lineEnding: '\r\n' | '\n' | '\r';
  /** Whether the first row (after note lines) names the columns. */
  header: boolean;
  /** Lines above the header that are not part of the table, e.g. a report title. */
  titleLines: string[];
  /** Fields most records of the sample have; 0 when the sample has none. */
  columnCount: number;
  /** The header row ends with a delimiter the data rows do not have: its last, empty name is not a column. */
  headerTrailingDelimiter: boolean;
  /** Share of the sample's lines in records of that width (1 = every line agrees). */
  consistency: number;
  /**
   * Set when the sniffer reads quotes as text (quote '') because reading them
   * as quotes broke the sample: the line where a quote never closed or
   * swallowed the lines after it.
   */
  unusableQuoteLine: number | null;
  /** The sample's data records (below the header and note lines), for type suggestions; never stored. */
  sampleRows: string[][];
}

export interface SniffOverrides {
  delimiter?: string;
  quote?: QuoteChar;
  /** 'double': the quote character doubled; '\\': backslash escapes. */
  escape?: 'double' | '\\';
  header?: boolean;
}

const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

interface Candidate {
  delimiter: string;
  quote: QuoteChar;
  escape: EscapeChar;
  records: ParsedRecord[];
  width: number;
  score: number;
  /** Line of the first record a quote broke: left open to the end, or spanning lines at the wrong width. */
  brokenAt: number | null;
}

/** Records of the sample's UTF-8 `bytes` read with one dialect, and the lines left unread behind an open quote. */
function readWithDialect(
  bytes: Buffer,
  delimiter: string,
  quote: QuoteChar,
  escapeChar: EscapeChar,
  complete: boolean,
) {
  const parser = new CsvRecordParser({ delimiter, quote, escape: escapeChar, maxRecordSize: bytes.length + 1 });
  const records = parser.push(bytes);
  let unread = 0;
  try {
    if (complete) records.push(...parser.end());
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
  }
  const readTo = records.at(-1)?.end ?? 0;
  if (readTo < bytes.length) unread = countLines(bytes.subarray(readTo).toString('latin1'));
  return { records, unread };
}

function countLines(text: string): number {
  return text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '').length;
}

/** The most common field count; ties go to the wider one. */
function modalWidth(records: ParsedRecord[]): number {
  const tally = new Map<number, number>();
  for (const record of records) tally.set(record.fields.length, (tally.get(record.fields.length) ?? 0) + 1);
  let best = 0;
  let bestTally = 0;
  for (const [width, seen] of tally)
    if (seen > bestTally || (seen === bestTally && width > best)) [best, bestTally] = [width, seen];
  return best;
}

function evaluate(
  bytes: Buffer,
  delimiter: string,
  quote: QuoteChar,
  escapeChar: EscapeChar,
  complete: boolean,
): Candidate {
  const { records, unread } = readWithDialect(bytes, delimiter, quote, escapeChar, complete);
  const width = modalWidth(records);
  let agreeing = 0;
  let lines = unread;
  let brokenAt: number | null = null;
  for (const record of records) {
    // A record's lines: more than one when a quoted field holds line breaks (or an odd quote swallowed them).
    const span = Math.max(1, record.nextLine - record.line);
    lines += span;
    if (record.fields.length === width && record.problem === null) agreeing += span;
    // A record at the wrong width over several lines: a quote swallowed line breaks that end records.
    else if (span > 1 && record.fields.length !== width && brokenAt === null) brokenAt = record.line;
  }
  if (unread > 0 && brokenAt === null) brokenAt = records.at(-1)?.nextLine ?? 1;
  // One column everywhere says nothing for this delimiter.
  const score = width > 1 && lines > 0 ? agreeing / lines : 0;
  return { delimiter, quote, escape: escapeChar, records, width, score, brokenAt };
}

/** Quoted fields bounded by a delimiter or line end: evidence that `quote` is the quote character. */
function quotedFieldCount(text: string, delimiter: string, quote: string): number {
  const d = delimiter === '|' ? '\\|' : delimiter;
  const pattern = new RegExp(`(^|[${d}\\r\\n])${quote}[^${quote}]*${quote}(?=[${d}\\r\\n]|$)`, 'g');
  return text.match(pattern)?.length ?? 0;
}

/** The quote characters worth trying, most usual first (a tie goes to the first). */
function quoteCandidates(text: string, delimiter: string, declared?: QuoteChar): QuoteChar[] {
  if (declared !== undefined) return [declared];
  // The single quote only counts when it actually wraps fields and the double quote does not.
  const single = quotedFieldCount(text, delimiter, "'") > 0 && quotedFieldCount(text, delimiter, '"') === 0;
  return single ? ["'", '"'] : ['"'];
}

function escapeCandidates(text: string, quote: QuoteChar, declared?: SniffOverrides['escape']): EscapeChar[] {
  if (quote === '') return [''];
  if (declared !== undefined) return [declared === 'double' ? quote : declared];
  // Backslash escaping is only worth a try where a backslash stands before a quote.
  return text.includes(`\\${quote}`) ? [quote, '\\'] : [quote];
}

/**
 * `text` is the decoded sample; `complete` says whether it is the whole file
 * (otherwise its last, probably cut, line is left out).
 */
export function sniffDialect(text: string, complete: boolean, overrides: SniffOverrides = {}): Dialect {
  const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
  const sample = complete || cut === 0 ? text : text.slice(0, cut);
  const delimiters = overrides.delimiter ? [overrides.delimiter] : DELIMITERS;
  let best: Candidate | undefined;
  const consider = (candidate: Candidate) => {
    const better =
      !best ||
      candidate.score > best.score + 1e-9 ||
      (Math.abs(candidate.score - best.score) <= 1e-9 && candidate.width > best.width);
    if (better) best = candidate;
  };
  const whole = complete || cut === 0;
  // Every candidate parses the same bytes: encode the sample once.
  const bytes = Buffer.from(sample);
  for (const delimiter of delimiters) {
    // Line where reading quotes as quotes broke the sample, as long as every way of reading them did.
    let quotedBrokenAt: number | null | undefined;
    for (const quote of quoteCandidates(sample, delimiter, overrides.quote))
      for (const escapeChar of escapeCandidates(sample, quote, overrides.escape)) {
        const candidate = evaluate(bytes, delimiter, quote, escapeChar, whole);
        quotedBrokenAt = candidate.brokenAt === null ? null : (quotedBrokenAt ?? candidate.brokenAt);
        consider(candidate);
      }
    // Quotes read as text only when reading them as quotes broke the sample (one odd quote), never to win a tie.
    if (overrides.quote === undefined && typeof quotedBrokenAt === 'number') {
      const literal = evaluate(bytes, delimiter, '', '', whole);
      consider({ ...literal, brokenAt: quotedBrokenAt });
    }
  }
  const chosen = best as Candidate;
  // Nothing splits the sample: one column, read the usual way.
  const plain = chosen.score === 0 && !overrides.delimiter && !overrides.quote;
  const delimiter = plain ? ',' : chosen.delimiter;
  const quote: QuoteChar = plain ? (overrides.quote ?? '"') : chosen.quote;
  const escapeChar: EscapeChar = plain ? quote : chosen.escape;
  const rows = chosen.records.map((record) => record.fields);
  const shape = describeTableShape(rows, chosen.width, overrides.header);
  return {
    delimiter,
    quote,
    escape: escapeChar,
    lineEnding: lineEndingOf(sample, quote),
    header: shape.header,
    titleLines: shape.titleLineCount > 0 ? rows.slice(0, shape.titleLineCount).map((row) => row.join(delimiter)) : [],
    columnCount: chosen.width,
    headerTrailingDelimiter: shape.headerTrailingDelimiter,
    consistency: Math.round(chosen.score * 1000) / 1000,
    unusableQuoteLine: quote === '' && overrides.quote === undefined ? chosen.brokenAt : null,
    sampleRows: rows.slice(shape.titleLineCount + (shape.header ? 1 : 0)),
  };
}

function lineEndingOf(text: string, quote: string): Dialect['lineEnding'] {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== '' && char === quote) quoted = !quoted;
    else if (!quoted && char === '\n') return '\n';
    else if (!quoted && char === '\r') return text[i + 1] === '\n' ? '\r\n' : '\r';
  }
  return '\n';
}
