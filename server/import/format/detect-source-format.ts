// Decides how to read a file before parsing it: its encoding (BOM, sniffed or
// declared), that it is text at all, and its CSV dialect, all from the first
// 64 KiB. Deterministic, so a resumed attempt decides exactly the same.
import iconv from 'iconv-lite';
import { ImportFileError } from '../import-errors.ts';
import type { ImportSettings } from '../import-settings.ts';
import { type Dialect, sniffDialect } from './sniff-dialect.ts';
import { bomLength, describeBinary, type EncodingGuess, sniffEncoding } from './sniff-encoding.ts';

export interface SourceFormat {
  encoding: EncodingGuess;
  dialect: Dialect;
  /** Which parts the metadata declared instead of the sniffer finding them. */
  declared: { delimiter: boolean; quote: boolean; escape: boolean; encoding: boolean; header: boolean };
}

export function detectSourceFormat(sample: Buffer, wholeFile: boolean, settings: ImportSettings): SourceFormat {
  const encoding: EncodingGuess = settings.encoding
    ? {
        encoding: settings.encoding,
        bomBytes: bomLength(sample, settings.encoding),
        detectedBy: 'metadata',
        confidence: 1,
      }
    : sniffEncoding(sample);
  const body = sample.subarray(encoding.bomBytes);
  // In UTF-16 every other byte of ASCII text is NUL; the test applies to single-byte text.
  const binary = /^utf-(16|32)/.test(encoding.encoding) ? null : describeBinary(body);
  if (binary) throw new ImportFileError(`The file is ${binary}, not CSV text`, { code: 'BINARY_FILE' });
  const text = encoding.encoding === 'utf-8' ? body.toString('utf8') : iconv.decode(body, encoding.encoding);
  const dialect = sniffDialect(text, wholeFile, {
    delimiter: settings.delimiter,
    quote: settings.quote,
    escape: settings.escape,
    header: settings.header,
  });
  return {
    encoding,
    dialect,
    declared: {
      delimiter: settings.delimiter !== undefined,
      quote: settings.quote !== undefined,
      escape: settings.escape !== undefined,
      encoding: settings.encoding !== undefined,
      header: settings.header !== undefined,
    },
  };
}
