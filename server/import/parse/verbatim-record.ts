// The two pieces a verbatim record (ParsedRecord.verbatim) needs besides the
// parser's scan: splitting its text into fields once somebody asks for them,
// and knowing that the bytes are valid UTF-8, which PostgreSQL insists on and
// which the parser's own decoding would otherwise have repaired with U+FFFD.
import { isUtf8 } from 'node:buffer';

export interface VerbatimDialect {
  delimiter: string;
  quote: string;
  /** The text holds no byte above 0x7f: fields need no decoding. */
  ascii: boolean;
}

const NON_ASCII = /[\x80-\xff]/;

/** UTF-8 bytes read as latin1 (one character per byte) back as text. */
export function fromLatin1(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}

/**
 * The fields of a verbatim record's text (latin1, one character per byte):
 * quotes only around whole fields and doubled inside, so no other rule applies.
 */
export function splitVerbatim(latin1: string, dialect: VerbatimDialect): string[] {
  const { delimiter, quote } = dialect;
  const decode = dialect.ascii ? (text: string) => text : fromLatin1;
  const quoteCode = quote.charCodeAt(0);
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (latin1.charCodeAt(pos) === quoteCode) {
      let value = '';
      let from = pos + 1;
      for (;;) {
        const close = latin1.indexOf(quote, from);
        if (latin1.charCodeAt(close + 1) === quoteCode) {
          value += latin1.slice(from, close + 1);
          from = close + 2;
          continue;
        }
        value += latin1.slice(from, close);
        pos = close + 1;
        break;
      }
      fields.push(decode(value));
    } else {
      const next = latin1.indexOf(delimiter, pos);
      const end = next === -1 ? latin1.length : next;
      fields.push(decode(latin1.slice(pos, end)));
      pos = end;
    }
    if (pos >= latin1.length) return fields;
    // At a delimiter: another field follows, empty when the text ends here.
    pos++;
  }
}

/**
 * Checks a stream of UTF-8 a slice at a time: a character cut at the end of
 * one slice is checked with the bytes that complete it in the next.
 */
export class Utf8Check {
  #tail: Buffer = Buffer.alloc(0);

  /** Whether the slice holds only valid UTF-8, counting the character the previous slice left open. */
  check(bytes: Buffer, ascii: boolean): boolean {
    if (ascii && this.#tail.length === 0) return true;
    const cut = openCharacterBytes(bytes);
    let valid: boolean;
    if (this.#tail.length === 0) valid = isUtf8(bytes.subarray(0, bytes.length - cut));
    else {
      const lead = Math.min(continuationBytes(bytes), bytes.length - cut);
      valid =
        isUtf8(Buffer.concat([this.#tail, bytes.subarray(0, lead)])) &&
        isUtf8(bytes.subarray(lead, bytes.length - cut));
    }
    this.#tail = Buffer.from(bytes.subarray(bytes.length - cut));
    return valid;
  }

  /** False when the last slice ended inside a character. */
  get complete(): boolean {
    return this.#tail.length === 0;
  }
}

/** Bytes at the end of `bytes` that begin a character not finished within them (0 to 3). */
function openCharacterBytes(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** Continuation bytes (10xxxxxx) at the start of `bytes`, at most 3. */
function continuationBytes(bytes: Uint8Array): number {
  let count = 0;
  while (count < 3 && count < bytes.length && (bytes[count] & 0xc0) === 0x80) count++;
  return count;
}
