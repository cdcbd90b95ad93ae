// Guesses a file's text encoding from its first bytes (BOM, NUL patterns,
// UTF-8 validity) and refuses what is plainly not text, before any parsing.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { detectLegacyEncoding } from './detect-legacy-encoding.ts';

/** An encoding name iconv-lite knows, normalised (`utf-8`, `windows-1252`, `shift_jis`, …). */
export type SourceEncoding = string;

export interface EncodingGuess {
  encoding: SourceEncoding;
  /** Length of the byte order mark at the start of the file (0 when none). */
  bomBytes: number;
  /** How the encoding was found, for the result summary. */
  detectedBy: 'bom' | 'null-pattern' | 'valid-utf8' | 'chardet' | 'fallback' | 'metadata';
  /** 0–1: how sure the detection is (1 for a BOM, valid UTF-8 or a declared encoding). */
  confidence: number;
}

// Formats people upload by mistake: a clear name beats "cannot parse line 1".
const MAGIC: readonly [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (an .xlsx or .ods spreadsheet?)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel or Word document (.xls/.doc)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], 'an SQLite database'],
];

/** What the bytes are when they are clearly not text; null when they may be CSV. */
export function describeBinary(sample: Uint8Array): string | null {
  for (const [magic, name] of MAGIC) if (magic.every((byte, i) => sample[i] === byte)) return name;
  let controls = 0;
  for (const byte of sample) {
    // C0 controls other than tab, line breaks, form feed and escape never occur in text exports.
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) controls++;
  }
  // A stray NUL in a cell is survivable (it is replaced); a few percent of control bytes is not text.
  return controls >= 8 && controls > sample.length * 0.02 ? 'binary data, not text' : null;
}

export function sniffEncoding(sample: Uint8Array): EncodingGuess {
  const certain = (encoding: SourceEncoding, bomBytes: number, detectedBy: EncodingGuess['detectedBy']) => ({
    encoding,
    bomBytes,
    detectedBy,
    confidence: 1,
  });
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return certain('utf-8', 3, 'bom');
  if (startsWith(sample, [0xff, 0xfe, 0, 0])) return certain('utf-32le', 4, 'bom');
  if (startsWith(sample, [0, 0, 0xfe, 0xff])) return certain('utf-32be', 4, 'bom');
  if (startsWith(sample, [0xff, 0xfe])) return certain('utf-16le', 2, 'bom');
  if (startsWith(sample, [0xfe, 0xff])) return certain('utf-16be', 2, 'bom');
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return certain(utf16, 0, 'null-pattern');
  const complete = completeUtf8Prefix(sample);
  if (isUtf8(complete)) return certain('utf-8', 0, 'valid-utf8');
  return detectLegacyEncoding(complete);
}

/** The BOM length `encoding` would have at the start of `sample` (metadata may name the encoding). */
export function bomLength(sample: Uint8Array, encoding: SourceEncoding): number {
  if (encoding === 'utf-8') return startsWith(sample, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  if (encoding === 'utf-16le') return startsWith(sample, [0xff, 0xfe]) ? 2 : 0;
  if (encoding === 'utf-16be') return startsWith(sample, [0xfe, 0xff]) ? 2 : 0;
  if (encoding === 'utf-32le') return startsWith(sample, [0xff, 0xfe, 0, 0]) ? 4 : 0;
  if (encoding === 'utf-32be') return startsWith(sample, [0, 0, 0xfe, 0xff]) ? 4 : 0;
  return 0;
}

// Names people write for the encodings the summary should name one way.
const CANONICAL_NAMES: Record<string, SourceEncoding> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  ucs2: 'utf-16le',
  utf16: 'utf-16le',
  utf32le: 'utf-32le',
  utf32be: 'utf-32be',
  cp1252: 'windows-1252',
  win1252: 'windows-1252',
  windows1252: 'windows-1252',
  latin1: 'iso-8859-1',
  iso88591: 'iso-8859-1',
  latin9: 'iso-8859-15',
  iso885915: 'iso-8859-15',
  sjis: 'shift_jis',
  shiftjis: 'shift_jis',
  eucjp: 'euc-jp',
  euckr: 'euc-kr',
  big5: 'big5',
  gb18030: 'gb18030',
  koi8r: 'koi8-r',
  cp1251: 'windows-1251',
  windows1251: 'windows-1251',
};

// iconv-lite codecs that are not text encodings of a file.
const NOT_TEXT = new Set(['base64', 'hex', 'base64url']);

/** Maps the names people write (`utf8`, `latin1`, `cp1252`, `Shift-JIS`) to an encoding iconv-lite supports, or null. */
export function normaliseEncodingName(name: string): SourceEncoding | null {
  const trimmed = name.trim().toLowerCase();
  const key = trimmed.replace(/[-_\s]/g, '');
  if (NOT_TEXT.has(key) || !iconv.encodingExists(trimmed)) return null;
  return CANONICAL_NAMES[key] ?? trimmed;
}

function startsWith(sample: Uint8Array, bytes: number[]): boolean {
  return bytes.every((byte, i) => sample[i] === byte);
}

// Text in UTF-16 without a BOM has a NUL in nearly every other byte (ASCII range).
function utf16WithoutBom(sample: Uint8Array): SourceEncoding | null {
  const pairs = Math.floor(sample.length / 2);
  if (pairs < 8) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (sample[i] === 0) evenNul++;
    if (sample[i + 1] === 0) oddNul++;
  }
  if (oddNul > pairs * 0.3 && evenNul < pairs * 0.05) return 'utf-16le';
  if (evenNul > pairs * 0.3 && oddNul < pairs * 0.05) return 'utf-16be';
  return null;
}

// The sample may end inside a multi-byte character; that must not count as invalid.
function completeUtf8Prefix(sample: Uint8Array): Uint8Array {
  let end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back];
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needed > back) end -= back;
    break;
  }
  return sample.subarray(0, end);
}
