// Names the encoding of text that is not UTF-8 (Shift-JIS, GB18030, Big5,
// EUC-KR, KOI8-R, Windows-1251/1252…) with chardet's statistical detector,
// keeping only a guess that decodes the sample without a single invalid byte.
import chardet from 'chardet';
import iconv from 'iconv-lite';
import type { EncodingGuess } from './sniff-encoding.ts';

// Below this, the guess is reported as unsure (chardet's confidence, 0–100, scaled to 0–1).
export const UNSURE_ENCODING_CONFIDENCE = 0.35;

// Encodings the caller has already ruled out, which chardet may still name for short samples.
const RULED_OUT = new Set(['ascii', 'utf-8', 'utf-16le', 'utf-16be', 'utf-32le', 'utf-32be']);

/** chardet's names as this service names them. */
function serviceName(chardetName: string): string {
  const name = chardetName.toLowerCase();
  // ISO-8859-1 is what chardet says when no byte 0x80–0x9f occurs; Windows-1252 reads the same text and also those.
  return name === 'iso-8859-1' ? 'windows-1252' : name;
}

/** Characters iconv-lite could not map; the last two characters are left out, as the sample may end inside one. */
function invalidCharacters(sample: Uint8Array, encoding: string): number {
  const text = iconv.decode(Buffer.from(sample), encoding).slice(0, -2);
  let count = 0;
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) count++;
  return count;
}

/** Bytes above 0x7f: the only ones that tell encodings apart. */
function highBytes(sample: Uint8Array): number {
  let count = 0;
  for (const byte of sample) if (byte > 0x7f) count++;
  return count;
}

// Fewer non-ASCII bytes than this give chardet's statistics nothing to go on.
const FEW_HIGH_BYTES = 24;
// Single-byte sets for Latin script, among which chardet's choice on a Western text is close to random.
const LATIN_SETS = /^(iso-8859-(1|2|3|4|9|10|13|14|15|16)|windows-125[0247])$/;

export function detectLegacyEncoding(sample: Uint8Array): EncodingGuess {
  const clean = chardet
    .analyse(sample)
    .map((match) => ({ encoding: serviceName(match.name), confidence: match.confidence / 100 }))
    .filter(({ encoding }) => !RULED_OUT.has(encoding) && iconv.encodingExists(encoding))
    .filter(({ encoding }) => invalidCharacters(sample, encoding) === 0);
  const western = clean.find(({ encoding }) => encoding === 'windows-1252');
  const [best] = clean;
  // A few accented letters give chardet's statistics nothing to go on: the usual spreadsheet export wins, unsure.
  if (highBytes(sample) < FEW_HIGH_BYTES && invalidCharacters(sample, 'windows-1252') === 0)
    return {
      encoding: 'windows-1252',
      bomBytes: 0,
      detectedBy: 'chardet',
      confidence: Math.min(western?.confidence ?? 0.3, 0.3),
    };
  // A Latin set hardly ahead of Windows-1252 is chardet guessing between near-identical tables.
  if (western && best && LATIN_SETS.test(best.encoding) && best.confidence - western.confidence < 0.15)
    return { encoding: 'windows-1252', bomBytes: 0, detectedBy: 'chardet', confidence: western.confidence };
  if (best) return { encoding: best.encoding, bomBytes: 0, detectedBy: 'chardet', confidence: best.confidence };
  // Nothing decodes cleanly: Windows-1252 maps all but five bytes, so the text still loads.
  return { encoding: 'windows-1252', bomBytes: 0, detectedBy: 'fallback', confidence: 0 };
}
