// Guesses a file's text encoding from its first bytes (BOM, NUL patterns,
// UTF-8 validity) and refuses what is plainly not text, before any parsing.
import { isUtf8 } from 'node:buffer';

export type SourceEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-1' | 'iso-8859-15';

export const SUPPORTED_ENCODINGS: readonly SourceEncoding[] = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'windows-1252',
  'iso-8859-1',
  'iso-8859-15',
];

export interface EncodingGuess {
  encoding: SourceEncoding;
  /** Length of the byte order mark at the start of the file (0 when none). */
  bomBytes: number;
  /** How the encoding was found, for the result summary. */
  detectedBy: 'bom' | 'null-pattern' | 'valid-utf8' | 'invalid-utf8' | 'metadata';
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
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomBytes: 3, detectedBy: 'bom' };
  if (startsWith(sample, [0xff, 0xfe])) return { encoding: 'utf-16le', bomBytes: 2, detectedBy: 'bom' };
  if (startsWith(sample, [0xfe, 0xff])) return { encoding: 'utf-16be', bomBytes: 2, detectedBy: 'bom' };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return { encoding: utf16, bomBytes: 0, detectedBy: 'null-pattern' };
  return isUtf8(completeUtf8Prefix(sample))
    ? { encoding: 'utf-8', bomBytes: 0, detectedBy: 'valid-utf8' }
    : // Invalid UTF-8 from a spreadsheet is, in practice, Windows-1252 (a superset of Latin-1's printable range).
      { encoding: 'windows-1252', bomBytes: 0, detectedBy: 'invalid-utf8' };
}

/** The BOM length `encoding` would have at the start of `sample` (metadata may name the encoding). */
export function bomLength(sample: Uint8Array, encoding: SourceEncoding): number {
  if (encoding === 'utf-8') return startsWith(sample, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  if (encoding === 'utf-16le') return startsWith(sample, [0xff, 0xfe]) ? 2 : 0;
  if (encoding === 'utf-16be') return startsWith(sample, [0xfe, 0xff]) ? 2 : 0;
  return 0;
}

/** Maps the names people write (`utf8`, `latin1`, `cp1252`, `UTF-16LE`) to a supported encoding. */
export function normaliseEncodingName(name: string): SourceEncoding | null {
  const key = name.trim().toLowerCase().replace(/[_\s]/g, '-');
  const aliases: Record<string, SourceEncoding> = {
    utf8: 'utf-8',
    'utf-8': 'utf-8',
    'utf-16le': 'utf-16le',
    utf16le: 'utf-16le',
    'utf-16be': 'utf-16be',
    utf16be: 'utf-16be',
    'windows-1252': 'windows-1252',
    cp1252: 'windows-1252',
    win1252: 'windows-1252',
    latin1: 'iso-8859-1',
    'latin-1': 'iso-8859-1',
    'iso-8859-1': 'iso-8859-1',
    'iso-8859-15': 'iso-8859-15',
    latin9: 'iso-8859-15',
  };
  return aliases[key] ?? null;
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
