// Says plainly when an import that ran to the end still looks wrong: most
// records rejected, everything in one column, no rows at all, an unsure
// encoding or dialect, quotes read as text. The job still succeeds; the web
// UI and the CLI show these beside the counts.
import { UNSURE_ENCODING_CONFIDENCE } from './detect-legacy-encoding.ts';
import type { SourceFormat } from './detect-source-format.ts';

export type ImportWarningCode =
  | 'MOST_ROWS_REJECTED'
  | 'ONE_COLUMN'
  | 'NO_ROWS'
  | 'ENCODING_UNSURE'
  | 'DIALECT_UNSURE'
  | 'QUOTES_READ_AS_TEXT';

export interface ImportWarning {
  code: ImportWarningCode;
  message: string;
}

// Below this share of sampled lines agreeing on one width, the delimiter found is a guess.
const UNSURE_CONSISTENCY = 0.8;

export function importWarnings(counts: { rows: number; rowsRejected: number; columns: number }, format: SourceFormat) {
  const warnings: ImportWarning[] = [];
  const { rows, rowsRejected, columns } = counts;
  const { dialect, encoding, declared } = format;
  const records = rows + rowsRejected;
  if (records > 0 && rowsRejected * 2 > records)
    warnings.push({
      code: 'MOST_ROWS_REJECTED',
      message: `${rowsRejected} of ${records} records were rejected: check the delimiter, quote, header and mapping, or the error report`,
    });
  if (records === 0)
    warnings.push({ code: 'NO_ROWS', message: 'No records were found below the header: nothing was imported' });
  if (columns === 1 && records > 0 && !declared.delimiter)
    warnings.push({
      code: 'ONE_COLUMN',
      message: 'Everything is in one column: if the file has more, declare its delimiter',
    });
  if (encoding.confidence < UNSURE_ENCODING_CONFIDENCE)
    warnings.push({
      code: 'ENCODING_UNSURE',
      message: `The encoding was guessed as ${encoding.encoding} (confidence ${Math.round(encoding.confidence * 100)}%): if text looks wrong, declare the encoding`,
    });
  if (columns > 1 && dialect.consistency < UNSURE_CONSISTENCY && !declared.delimiter)
    warnings.push({
      code: 'DIALECT_UNSURE',
      message: `Only ${Math.round(dialect.consistency * 100)}% of the sampled lines have ${dialect.columnCount} fields: the delimiter and quote found may be wrong`,
    });
  if (dialect.unusableQuoteLine !== null)
    warnings.push({
      code: 'QUOTES_READ_AS_TEXT',
      message: `Quotes were read as text: the quote at line ${dialect.unusableQuoteLine} never closes where a field ends. Declare quote=" to read them as quotes`,
    });
  return warnings;
}
