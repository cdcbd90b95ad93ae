// What an import of a stored file would find, without importing it: encoding,
// dialect, header, the first rows (typed by a mapping when one is given), the
// records that would be rejected, and the suggested mapping. Reads only the
// first 64 KiB, with the same sniffer, parser and width rules as the import.
import iconv from 'iconv-lite';
import { detectSourceFormat, type SourceFormat } from './format/detect-source-format.ts';
import type { ImportSettings } from './import-settings.ts';
import { describeFormat, type ImportSummary } from './import-summary.ts';
import { CsvRecordParser, CsvSyntaxError, type ParsedRecord } from './parse/csv-record-parser.ts';
import { fitRecordWidth, headerCells } from './parse/record-width.ts';
import { describeHeader, type HeaderSummary } from './rows/column-names.ts';
import { createRowShaper, isRowProblem, type RowValues } from './rows/row-shaper.ts';
import { type SuggestedMapping, suggestMapping } from './rows/suggest-mapping.ts';
import type { ImportSource } from './source/import-source.ts';
import { readSample, SAMPLE_BYTES } from './source/read-sample.ts';

export interface ImportPreview extends Pick<ImportSummary, 'encoding' | 'dialect'> {
  header: HeaderSummary;
  /** Stored column names, in order (the mapping's targets when one is given). */
  columns: string[];
  /** The first records that would be stored, as the stored values. */
  rows: { line: number; values: RowValues }[];
  /** Records among the first ones that would be rejected, and why. */
  rejected: { line: number; column: string | null; message: string; raw: string }[];
  suggestedMapping: SuggestedMapping;
  /** Whether the preview saw the whole file (otherwise its first 64 KiB). */
  wholeFile: boolean;
  /** Set when the sample could not be read to its end (a quote left open). */
  problem: string | null;
}

/** The sample as UTF-8 without its BOM: what the parser reads. */
function sampleText(sample: Buffer, format: SourceFormat): Buffer {
  const body = sample.subarray(format.encoding.bomBytes);
  return format.encoding.encoding === 'utf-8' ? body : Buffer.from(iconv.decode(body, format.encoding.encoding));
}

function parseSample(text: Buffer, format: SourceFormat, wholeFile: boolean) {
  const { delimiter, quote, escape: escapeChar } = format.dialect;
  const parser = new CsvRecordParser({ delimiter, quote, escape: escapeChar, maxRecordSize: SAMPLE_BYTES + 1 });
  const records: ParsedRecord[] = parser.push(text);
  try {
    if (wholeFile) records.push(...parser.end());
    return { records, problem: null };
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { records, problem: `A quoted field starting at line ${error.line} never closes` };
  }
}

export async function previewImport(
  source: ImportSource,
  settings: ImportSettings,
  limit: number,
): Promise<ImportPreview> {
  const size = await source.size();
  const sample = await readSample(source);
  const wholeFile = size <= SAMPLE_BYTES;
  const format = detectSourceFormat(sample, wholeFile, settings);
  const { records, problem } = parseSample(sampleText(sample, format), format, wholeFile);
  const { dialect } = format;
  const table = records.slice(dialect.titleLines.length);
  const first = table[0]?.fields ?? [];
  const header = describeHeader(
    headerCells(first, dialect.headerTrailingDelimiter),
    dialect.header,
    dialect.titleLines,
  );
  const shaper = createRowShaper(header.names, settings.mapping ?? null);
  const preview: ImportPreview = {
    ...describeFormat(format),
    header,
    columns: shaper.names,
    rows: [],
    rejected: [],
    suggestedMapping: suggestMapping(header.names, dialect.sampleRows, dialect.delimiter),
    wholeFile,
    problem,
  };
  for (const record of dialect.header ? table.slice(1) : table) {
    if (preview.rows.length >= limit) break;
    const reject = (column: string | null, message: string) =>
      preview.rejected.push({ line: record.line, column, message, raw: record.raw });
    const fields = record.fields;
    const widthProblem = record.problem ?? fitRecordWidth(fields, header.names.length);
    if (widthProblem !== null) {
      reject(null, widthProblem);
      continue;
    }
    const shaped = shaper.shape(fields);
    if (isRowProblem(shaped)) reject(shaped.column, shaped.message);
    else preview.rows.push({ line: record.line, values: shaped });
  }
  return preview;
}
