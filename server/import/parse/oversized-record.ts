// Stepping over a CSV record longer than the parser's limit without keeping
// it: only its first bytes (for the error report), its line count and whether
// it is inside a quoted field are remembered while the rest streams past.
import { CsvSyntaxError } from './csv-syntax-error.ts';

const LF = 10;
const CR = 13;
/** read() ran out of text before the record ended. */
export const NOT_ENDED = -1;

export class OversizedRecord {
  /** Line breaks seen inside the record so far. */
  breaks = 0;
  /** Whether the record ended with a line break (not with the end of the file). */
  endedWithLineBreak = false;
  #quoted = false;
  /** The last character closed a quoted field (a quote right after it re-opens it: a doubled quote). */
  #justClosed = false;
  /** Whether the next character starts a field (a quote there opens a quoted field). */
  #atFieldStart = true;
  /** A CR ended the last text: an LF at the start of the next belongs to it. */
  #pendingCr = false;

  constructor(
    /** Physical line the record starts on. */
    readonly line: number,
    /** Its first bytes, as latin1 text. */
    readonly prefix: string,
    private readonly quoteCode: number,
    private readonly delimiter: string,
    /** An escape character other than the quote (its code), or -1. */
    private readonly escapeCode = -1,
  ) {}

  /**
   * Reads `text` as the continuation of the record; returns the index just after
   * its line ending, or NOT_ENDED. Inside a quote at the limit (`atLimit`, the
   * first text) or at the end of the file the record has no knowable end: that
   * throws, since skipping to the quote's close could swallow the rest of the file.
   */
  read(text: string, final: boolean, atLimit: boolean): number {
    if (this.#pendingCr) {
      if (text.length === 0 && !final) return NOT_ENDED;
      return this.#end(text.charCodeAt(0) === LF ? 1 : 0, true);
    }
    for (let pos = 0; pos < text.length; pos++) {
      const code = text.charCodeAt(pos);
      if (this.#quoted) {
        if (code === this.escapeCode) pos++;
        else if (code === this.quoteCode) {
          this.#quoted = false;
          this.#justClosed = true;
        } else if (code === LF || (code === CR && text.charCodeAt(pos + 1) !== LF)) this.breaks++;
        continue;
      }
      if (code === LF) return this.#end(pos + 1, true);
      if (code === CR) {
        if (pos + 1 === text.length && !final) {
          this.#pendingCr = true;
          return NOT_ENDED;
        }
        return this.#end(text.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1, true);
      }
      if (code === this.quoteCode && (this.#atFieldStart || this.#justClosed)) this.#quoted = true;
      this.#justClosed = false;
      this.#atFieldStart = text[pos] === this.delimiter;
    }
    if (this.#quoted && (atLimit || final))
      throw new CsvSyntaxError(atLimit ? 'CSV_MAX_RECORD_SIZE' : 'CSV_QUOTE_NOT_CLOSED', this.line);
    return final ? this.#end(text.length, false) : NOT_ENDED;
  }

  /** Line on which the next record starts. */
  get nextLine(): number {
    return this.line + this.breaks + (this.endedWithLineBreak ? 1 : 0);
  }

  #end(consumed: number, lineBreak: boolean): number {
    this.#pendingCr = false;
    this.endedWithLineBreak = lineBreak;
    return consumed;
  }
}
