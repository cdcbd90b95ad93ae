// The import's CSV parser. csv-parse managed 26 MB/s here, a third of what
// PostgreSQL's COPY takes in, and could not step over a record longer than its
// limit. This one reads the UTF-8 bytes as latin1 text (one character per byte,
// so every index is a byte offset of the stream), finds delimiters, quotes and
// line breaks with indexOf, and turns a field back into UTF-8 only when it
// holds a non-ASCII byte. It counts physical lines itself and keeps each
// record's raw text at hand, so a rejected record can be reported whole.
import { isAscii } from 'node:buffer';
import { CsvSyntaxError } from './csv-syntax-error.ts';
import { NOT_ENDED, OversizedRecord } from './oversized-record.ts';
import { fromLatin1, splitVerbatim, Utf8Check, type VerbatimDialect } from './verbatim-record.ts';

export { CsvSyntaxError };

export interface CsvParserSettings {
  delimiter: string;
  /** The quote character; '' reads every quote as text. */
  quote: string;
  /** Inside a quoted field, the character that makes the next one literal; the quote itself (doubling, RFC 4180) by default. */
  escape?: string;
  /** A record longer than this (bytes) is rejected and skipped; an open quote that runs past it is fatal. */
  maxRecordSize: number;
  /**
   * Look for verbatim records (see ParsedRecord.verbatim): only when PostgreSQL's
   * CSV COPY takes this delimiter and quote (copyCsvFormatFor says so).
   */
  verbatim?: boolean;
}

/** How much of a skipped, over-long record the error report keeps. */
export const OVERSIZED_RAW_PREFIX = 1024;

export class ParsedRecord {
  #fields: string[] | null;

  constructor(
    /** Null for a verbatim record: its fields are split from its text when first asked for. */
    fields: string[] | null,
    /** Stream offset just after the record's line ending: where a resumed read starts. */
    readonly end: number,
    /** Physical line (1-based) the record starts on. */
    readonly line: number,
    /** Line on which the next record's text starts. */
    readonly nextLine: number,
    /** Why the record cannot be read as fields (over-long, stray character after a closing quote); null when fine. */
    readonly problem: string | null,
    /** Bit i set: field i may hold a character JSON must escape; ANY_FIELD when that is unknown. */
    readonly escapes: number,
    // The raw text is sliced only for the few records that are rejected, and for verbatim ones.
    private readonly text: string,
    private readonly rawStart: number,
    private readonly rawEnd: number,
    /** Fields of a verbatim record (0 for any other): see `verbatim`. */
    readonly verbatimFields = 0,
    private readonly dialect: VerbatimDialect | null = null,
  ) {
    this.#fields = fields;
  }

  get fields(): string[] {
    this.#fields ??= splitVerbatim(this.text.slice(this.rawStart, this.rawEnd), this.dialect as VerbatimDialect);
    return this.#fields;
  }

  /** How many fields the record has, without splitting a verbatim one. */
  get fieldCount(): number {
    return this.#fields === null ? this.verbatimFields : this.#fields.length;
  }

  /**
   * The record's bytes as written (without the line ending), one latin1
   * character per byte, when PostgreSQL's CSV COPY with the parser's delimiter
   * and quote reads them into exactly `fields`: quotes only around whole
   * fields, doubled inside, valid UTF-8, no backslash (COPY's NULL is \N) and
   * no U+0000. Null for any other record.
   */
  get verbatim(): string | null {
    return this.verbatimFields > 0 ? this.text.slice(this.rawStart, this.rawEnd) : null;
  }

  /**
   * The record as written, without its line ending, as UTF-8 text: a string of its
   * own. A slice would keep the whole parsed text alive (64 KiB per rejected row of
   * a batch: 1% bad rows grew the worker's heap by 16 MiB).
   */
  get raw(): string {
    return Buffer.from(this.text.slice(this.rawStart, this.rawEnd), 'latin1').toString('utf8');
  }
}

const LF = 10;
const CR = 13;
/** Backslash and control characters other than line breaks: what JSON text must escape, besides quotes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const NEEDS_ESCAPING = /[\\\x00-\x09\x0b\x0c\x0e-\x1f]/;
/**
 * The same plus the double quote, for dialects whose quote character is not
 * `"`: there a `"` is ordinary text anywhere, and the parser's field-by-field
 * hints only ever look at the dialect's own quote character.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const NEEDS_ESCAPING_WITH_QUOTE = /[\\"\x00-\x09\x0b\x0c\x0e-\x1f]/;
const SPACE = 32;
/** `escapes` when any field may need escaping. */
export const ANY_FIELD = -1;
/**
 * Text is made from at most this many bytes at a time. V8 puts a string over
 * 128 KiB in its large-object space, freed only by a full collection: 256 KiB
 * read chunks turned into strings whole made a worker's memory climb by tens
 * of megabytes during an import.
 */
const TEXT_SLICE_BYTES = 64 * 1024;

/** Verbatim records tried in a row without one found, before the parser stops trying for a while. */
const VERBATIM_MISSES = 32;
/** Records read the full way after that, before verbatim ones are looked for again. */
const VERBATIM_PAUSE = 4096;

export class CsvRecordParser {
  readonly #delimiter: string;
  readonly #quote: string;
  readonly #quoteCode: number;
  /** An escape character other than the quote (`\\`), or '' when quotes are doubled. */
  readonly #escape: string;
  readonly #needsEscaping: RegExp;
  readonly #maxRecordSize: number;
  /** Text not yet turned into records: an unfinished record plus the newest chunk. */
  #text = '';
  /** Stream offset of `#text[0]`. */
  #textOffset = 0;
  /** Physical line of `#text[0]`. */
  #line: number;
  /** Whether `#text` holds a byte above 0x7f (fields then need decoding). */
  #nonAscii = false;
  /**
   * Whether `#text` is free of NEEDS_ESCAPING: then only quoted fields with quotes or line breaks need escaping.
   * Found out when a record is first read the full way: verbatim records never ask.
   */
  #plain: boolean | null = null;
  /** The over-long record being stepped over, if any. */
  #oversized: OversizedRecord | null = null;
  // Next index at or after the scan position of each special character in `#text`,
  // or #text.length when there is none: each is searched for once per chunk, not per field.
  #nextLf = -1;
  #nextCr = -1;
  #nextQuote = -1;
  #nextDelimiter = -1;
  #nextEscape = -1;
  #nextBackslash = -1;
  #nextNul = -1;
  /** How verbatim records split (of ASCII text, and of any), or null when they are not looked for. */
  #verbatimDialect: VerbatimDialect | null;
  #verbatimAscii: VerbatimDialect | null;
  /** Whether `#text` is valid UTF-8 (a verbatim record must be). */
  #validUtf8 = true;
  readonly #utf8 = new Utf8Check();
  /** Verbatim records looked for in vain since the last one found; records left until they are looked for again. */
  #verbatimMisses = 0;
  #verbatimPause = 0;

  constructor(settings: CsvParserSettings, firstLine = 1) {
    this.#delimiter = settings.delimiter;
    this.#quote = settings.quote;
    // -1 never equals a character code: with no quote character every field is unquoted.
    this.#quoteCode = settings.quote === '' ? -1 : settings.quote.charCodeAt(0);
    const escapeChar = settings.escape ?? settings.quote;
    this.#escape = escapeChar === settings.quote ? '' : escapeChar;
    this.#needsEscaping = settings.quote === '"' ? NEEDS_ESCAPING : NEEDS_ESCAPING_WITH_QUOTE;
    this.#maxRecordSize = settings.maxRecordSize;
    this.#line = firstLine;
    const verbatim = settings.verbatim && this.#escape === '' && this.#quoteCode !== -1;
    this.#verbatimDialect = verbatim ? { delimiter: settings.delimiter, quote: settings.quote, ascii: false } : null;
    this.#verbatimAscii = verbatim ? { delimiter: settings.delimiter, quote: settings.quote, ascii: true } : null;
  }

  /** From the next record on, every record is read the full way (its reader has no use for verbatim ones). */
  stopLookingForVerbatim(): void {
    this.#verbatimDialect = null;
    this.#verbatimAscii = null;
  }

  /** Parses a chunk of UTF-8 bytes; returns the records it completes. */
  push(chunk: Buffer): ParsedRecord[] {
    const records: ParsedRecord[] = [];
    for (let start = 0; start < chunk.length; start += TEXT_SLICE_BYTES)
      this.#pushSlice(chunk.subarray(start, start + TEXT_SLICE_BYTES), records);
    return records;
  }

  #pushSlice(bytes: Buffer, records: ParsedRecord[]): void {
    let text = bytes.toString('latin1');
    if (this.#oversized) {
      const consumed = this.#continueOversized(text, false, false, records);
      if (consumed === NOT_ENDED) return;
      text = text.slice(consumed);
    }
    const carried = this.#text.length > 0;
    const ascii = isAscii(bytes);
    // Checked across slices: a character cut at the slice's end is completed by the next one.
    const validUtf8 = this.#utf8.check(bytes, ascii);
    this.#validUtf8 = (this.#validUtf8 || !carried) && validUtf8;
    this.#nonAscii = (this.#nonAscii && carried) || !ascii;
    this.#setText(this.#text + text);
    this.#parse(false, records);
  }

  /** Parses what is left once the stream ended; throws when a quote is still open. */
  end(): ParsedRecord[] {
    const records: ParsedRecord[] = [];
    if (this.#oversized) {
      this.#continueOversized('', true, false, records);
      return records;
    }
    // A character cut short by the end of the file.
    if (!this.#utf8.complete) this.#validUtf8 = false;
    this.#parse(true, records);
    return records;
  }

  #setText(text: string): void {
    this.#text = text;
    this.#plain = null;
    this.#nextLf = -1;
    this.#nextCr = -1;
    this.#nextQuote = -1;
    this.#nextDelimiter = -1;
    this.#nextEscape = -1;
    this.#nextBackslash = -1;
    this.#nextNul = -1;
  }

  #parse(final: boolean, records: ParsedRecord[]): void {
    const text = this.#text;
    let pos = 0;
    let line = this.#line;
    while (pos < text.length) {
      const code = text.charCodeAt(pos);
      // Blank lines are no records (they only count as lines).
      if (code === LF || code === CR) {
        if (code === CR && pos + 1 === text.length && !final) break;
        pos += code === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
        line++;
        continue;
      }
      const record = this.#verbatimOrFull(pos, line, final);
      if (record === null) break;
      records.push(record);
      pos = record.end - this.#textOffset;
      line = record.nextLine;
    }
    this.#textOffset += pos;
    this.#line = line;
    const rest = pos === 0 ? text : text.slice(pos);
    if (rest.length > this.#maxRecordSize) {
      this.#setText('');
      this.#startOversized(rest, line, final, records);
      return;
    }
    if (final && rest.length > 0) throw new CsvSyntaxError('CSV_QUOTE_NOT_CLOSED', line);
    this.#setText(rest);
  }

  /** The record starting at `start` (verbatim when it can be), or null when its end has not arrived yet. */
  #verbatimOrFull(start: number, line: number, final: boolean): ParsedRecord | null {
    if (this.#verbatimDialect === null || !this.#validUtf8) return this.#record(start, line, final);
    if (this.#verbatimPause > 0) {
      this.#verbatimPause--;
      return this.#record(start, line, final);
    }
    // The scan moves the search positions on; a record read the full way after it starts from these again
    // (kept in locals: an array per record showed up in the garbage collector's share).
    const lf = this.#nextLf;
    const cr = this.#nextCr;
    const quote = this.#nextQuote;
    const delimiter = this.#nextDelimiter;
    const record = this.#verbatimRecord(start, line, final);
    if (record !== undefined) {
      if (record !== null) this.#verbatimMisses = 0;
      return record;
    }
    this.#nextLf = lf;
    this.#nextCr = cr;
    this.#nextQuote = quote;
    this.#nextDelimiter = delimiter;
    // A file whose records are never verbatim is not scanned twice per record.
    if (++this.#verbatimMisses >= VERBATIM_MISSES) {
      this.#verbatimMisses = 0;
      this.#verbatimPause = VERBATIM_PAUSE;
    }
    return this.#record(start, line, final);
  }

  /**
   * The verbatim record starting at `start`: each field unquoted without a
   * quote character, or quoted with quotes doubled inside and the delimiter or
   * line break right after the closing quote. Null when its end has not
   * arrived yet; undefined when it is not verbatim (read it the full way).
   */
  #verbatimRecord(start: number, line: number, final: boolean): ParsedRecord | null | undefined {
    const text = this.#text;
    const quote = this.#quoteCode;
    let fields = 0;
    let breaks = 0;
    let pos = start;
    for (;;) {
      fields++;
      if (text.charCodeAt(pos) === quote) {
        const opened = pos;
        let close = this.#next('quote', pos + 1);
        // A doubled quote is one quote character of the value.
        while (close + 1 < text.length && text.charCodeAt(close + 1) === quote) close = this.#next('quote', close + 2);
        if (close + 1 >= text.length && !final) return null;
        if (close === text.length) return undefined;
        if (this.#nextBreak(opened) < close) breaks += countBreaks(text, opened, close);
        pos = close + 1;
        if (pos === text.length) break;
        if (text[pos] === this.#delimiter) {
          pos++;
          continue;
        }
        const code = text.charCodeAt(pos);
        if (code === LF || code === CR) break;
        // A character after the closing quote: the full reading decides what it means.
        return undefined;
      }
      const delimiter = this.#next('delimiter', pos);
      const lineBreak = this.#nextBreak(pos);
      const end = Math.min(delimiter, lineBreak);
      if (end === text.length && !final) return null;
      // A quote inside an unquoted field (or spaces before an opening one) is read differently by PostgreSQL.
      if (this.#next('quote', pos) < end) return undefined;
      pos = end;
      if (delimiter < lineBreak) {
        pos++;
        continue;
      }
      break;
    }
    if (pos - start > this.#maxRecordSize) return undefined;
    if (this.#next('backslash', start) < pos || this.#next('nul', start) < pos) return undefined;
    const end = this.#afterLineBreak(pos, final);
    if (end === null) return null;
    if (pos < text.length) breaks++;
    return new ParsedRecord(
      null,
      this.#textOffset + end,
      line,
      line + breaks,
      null,
      ANY_FIELD,
      text,
      start,
      pos,
      fields,
      this.#nonAscii ? this.#verbatimDialect : this.#verbatimAscii,
    );
  }

  /** The record starting at `start`, or null when its end has not arrived yet. */
  #record(start: number, line: number, final: boolean): ParsedRecord | null {
    const text = this.#text;
    const fields: string[] = [];
    let problem: string | null = null;
    this.#plain ??= !this.#needsEscaping.test(text);
    let escapes = this.#plain ? 0 : ANY_FIELD;
    let breaks = 0;
    let pos = start;
    for (;;) {
      const lineBreak = this.#nextBreak(pos);
      if (text.charCodeAt(pos) === SPACE && this.#quoteCode !== -1) {
        // `a, "b, c"`: spaces before an opening quote are layout, and the field is quoted.
        const opening = skipSpaces(text, pos);
        if (opening === text.length && !final) return null;
        if (text.charCodeAt(opening) === this.#quoteCode) pos = opening;
      }
      if (text.charCodeAt(pos) !== this.#quoteCode) {
        // Unquoted: a whole line without quotes is split at once.
        if (pos === start && this.#next('quote', pos) > lineBreak && lineBreak < text.length) {
          for (const field of text.slice(pos, lineBreak).split(this.#delimiter)) fields.push(this.#field(field));
          pos = lineBreak;
          break;
        }
        const delimiter = this.#next('delimiter', pos);
        const end = Math.min(delimiter, lineBreak);
        if (end === text.length && !final) return null;
        // A quote inside an unquoted field (`5'10"`) is text, and text JSON must escape.
        if (this.#next('quote', pos) < end) escapes = markField(escapes, fields.length);
        fields.push(this.#field(text.slice(pos, end)));
        pos = end;
        if (delimiter < lineBreak) {
          pos++;
          continue;
        }
        break;
      }
      if (!this.#quotedField(pos + 1, final)) return null;
      breaks += this.#quotedBreaks;
      if (this.#quotedEscaped) escapes = markField(escapes, fields.length);
      pos = this.#quotedEnd;
      let value = this.#quotedValue;
      if (text.charCodeAt(pos) === SPACE) {
        // Spaces between the closing quote and the delimiter are layout too.
        const after = skipSpaces(text, pos);
        if (after === text.length && !final) return null;
        if (after === text.length || this.#endsField(after)) pos = after;
      }
      if (pos === text.length) {
        if (!final) return null;
      } else if (!this.#endsField(pos)) {
        // A stray character after the closing quote: kept as text up to the field's end, and the record rejected.
        problem ??= `unexpected character after the closing quote of column ${fields.length + 1}`;
        const end = Math.min(this.#next('delimiter', pos), this.#nextBreak(pos));
        if (end === text.length && !final) return null;
        value += text.slice(pos, end);
        pos = end;
        escapes = markField(escapes, fields.length);
      }
      fields.push(this.#field(value));
      if (text[pos] === this.#delimiter) {
        pos++;
        continue;
      }
      break;
    }
    // `pos` is at the record's line break, or at the end of the text once the stream ended.
    const end = this.#afterLineBreak(pos, final);
    if (end === null) return null;
    if (pos < text.length) breaks++;
    const nextLine = line + breaks;
    if (pos - start > this.#maxRecordSize) {
      const rawEnd = start + OVERSIZED_RAW_PREFIX;
      return new ParsedRecord(
        [],
        this.#textOffset + end,
        line,
        nextLine,
        this.#oversizedProblem(),
        ANY_FIELD,
        text,
        start,
        rawEnd,
      );
    }
    return new ParsedRecord(fields, this.#textOffset + end, line, nextLine, problem, escapes, text, start, pos);
  }

  /** Where the next record starts when this one ends at `pos`: after its line break (CR, LF or CRLF); null when a CR ends the text so far. */
  #afterLineBreak(pos: number, final: boolean): number | null {
    const text = this.#text;
    if (pos === text.length) return pos;
    if (text.charCodeAt(pos) !== CR) return pos + 1;
    if (pos + 1 === text.length && !final) return null;
    return text.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
  }

  /** Whether the character at `pos` ends a field: the delimiter or a line break. */
  #endsField(pos: number): boolean {
    const code = this.#text.charCodeAt(pos);
    return code === LF || code === CR || this.#text[pos] === this.#delimiter;
  }

  // What #quotedField found, kept in fields rather than a fresh object per field (garbage collection was a third of the import's time).
  #quotedValue = '';
  #quotedEnd = 0;
  #quotedBreaks = 0;
  #quotedEscaped = false;

  /** Reads the quoted field whose text starts at `from` into #quoted*; false when its closing quote has not arrived. */
  #quotedField(from: number, final: boolean): boolean {
    const text = this.#text;
    let value = '';
    let pos = from;
    // A quote character, a line break or an escaped character made it into the value.
    let escaped = false;
    for (;;) {
      const quote = this.#next('quote', pos);
      if (this.#escape !== '') {
        // `\"` and `\\` (csv-parse's `escape`): the escape character is dropped, the next one kept as it is.
        const escapeAt = this.#next('escape', pos);
        if (escapeAt < quote) {
          if (escapeAt + 1 >= text.length) return false;
          value += text.slice(pos, escapeAt) + text[escapeAt + 1];
          pos = escapeAt + 2;
          escaped = true;
          continue;
        }
      }
      if (quote === text.length) return false;
      if (this.#escape === '' && text.charCodeAt(quote + 1) === this.#quoteCode) {
        // A doubled quote is one quote character of the value.
        value += text.slice(pos, quote + 1);
        pos = quote + 2;
        escaped = true;
        continue;
      }
      const inner = this.#innerQuote(quote, final);
      if (inner === null) return false;
      if (inner) {
        value += text.slice(pos, quote + 1);
        pos = quote + 1;
        escaped = true;
        continue;
      }
      value += text.slice(pos, quote);
      const breaks = this.#nextBreak(from) < quote ? countBreaks(text, from, quote) : 0;
      this.#quotedValue = value;
      this.#quotedEnd = quote + 1;
      this.#quotedBreaks = breaks;
      this.#quotedEscaped = escaped || breaks > 0;
      return true;
    }
  }

  /**
   * Whether the quote at `quote`, inside a quoted field and not followed by the
   * delimiter or a line break, is text: `"pedro "pdet" holanda"`. It is when the
   * field's end is still clear, i.e. a quote right before the next delimiter or
   * line break closes it with no delimiter in between; otherwise it closes the
   * field here (and what follows is a stray character). Null: not known yet.
   */
  #innerQuote(quote: number, final: boolean): boolean | null {
    const text = this.#text;
    const after = quote + 1;
    if (after === text.length) return final ? false : null;
    if (this.#endsField(after)) return false;
    const delimiter = text.indexOf(this.#delimiter, after);
    const limit = Math.min(
      delimiter === -1 ? text.length : delimiter,
      indexOrLength(text, '\n', after),
      indexOrLength(text, '\r', after),
    );
    if (limit === text.length && !final) return null;
    return limit - 1 > quote && text.charCodeAt(limit - 1) === this.#quoteCode;
  }

  #oversizedProblem(): string {
    return `the record is longer than ${this.#maxRecordSize} bytes (skipped; its first ${OVERSIZED_RAW_PREFIX} bytes are kept)`;
  }

  #field(latin1: string): string {
    return this.#nonAscii ? fromLatin1(latin1) : latin1;
  }

  #nextBreak(from: number): number {
    return Math.min(this.#next('lf', from), this.#next('cr', from));
  }

  #next(what: 'lf' | 'cr' | 'quote' | 'delimiter' | 'escape' | 'backslash' | 'nul', from: number): number {
    const text = this.#text;
    switch (what) {
      case 'backslash':
        if (this.#nextBackslash < from) this.#nextBackslash = indexOrLength(text, '\\', from);
        return this.#nextBackslash;
      case 'nul':
        if (this.#nextNul < from) this.#nextNul = indexOrLength(text, '\u0000', from);
        return this.#nextNul;
      case 'escape':
        if (this.#nextEscape < from) this.#nextEscape = indexOrLength(text, this.#escape, from);
        return this.#nextEscape;
      case 'lf':
        if (this.#nextLf < from) this.#nextLf = indexOrLength(text, '\n', from);
        return this.#nextLf;
      case 'cr':
        if (this.#nextCr < from) this.#nextCr = indexOrLength(text, '\r', from);
        return this.#nextCr;
      case 'quote':
        if (this.#nextQuote < from) this.#nextQuote = indexOrLength(text, this.#quote, from);
        return this.#nextQuote;
      case 'delimiter':
        if (this.#nextDelimiter < from) this.#nextDelimiter = indexOrLength(text, this.#delimiter, from);
        return this.#nextDelimiter;
    }
  }

  /**
   * The unfinished record in `rest` is already over the limit. Outside quotes at
   * that point it is stepped over to its line break and reported as a rejected
   * record; inside a quote nothing tells where it ends, so the import stops.
   * Memory stays bounded either way.
   */
  #startOversized(rest: string, line: number, final: boolean, records: ParsedRecord[]): void {
    this.#oversized = new OversizedRecord(
      line,
      rest.slice(0, OVERSIZED_RAW_PREFIX),
      this.#quoteCode,
      this.#delimiter,
      this.#escape === '' ? -1 : this.#escape.charCodeAt(0),
    );
    const consumed = this.#continueOversized(rest, final, true, records);
    if (consumed === NOT_ENDED) return;
    this.#nonAscii = true;
    this.#setText(rest.slice(consumed));
    this.#parse(final, records);
  }

  /** Feeds `text` to the over-long record; once it ends, pushes it as a rejected record and returns where it ended. */
  #continueOversized(text: string, final: boolean, atLimit: boolean, records: ParsedRecord[]): number {
    const skipped = this.#oversized as OversizedRecord;
    const consumed = skipped.read(text, final, atLimit);
    if (consumed === NOT_ENDED) {
      this.#textOffset += text.length;
      return NOT_ENDED;
    }
    this.#oversized = null;
    this.#textOffset += consumed;
    this.#line = skipped.nextLine;
    const { line, nextLine, prefix } = skipped;
    records.push(
      new ParsedRecord(
        [],
        this.#textOffset,
        line,
        nextLine,
        this.#oversizedProblem(),
        ANY_FIELD,
        prefix,
        0,
        prefix.length,
      ),
    );
    return consumed;
  }
}

/** Marks field `index` of a record as needing JSON escaping. */
function markField(escapes: number, index: number): number {
  return index < 31 ? escapes | (1 << index) : ANY_FIELD;
}

function skipSpaces(text: string, from: number): number {
  let pos = from;
  while (text.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

function indexOrLength(text: string, search: string, from: number): number {
  // No quote or escape character at all: never found.
  if (search === '') return text.length;
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

/** Line breaks in text[from, to): LF, CRLF and a lone CR each count once. */
function countBreaks(text: string, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || (code === CR && text.charCodeAt(i + 1) !== LF)) breaks++;
  }
  return breaks;
}
