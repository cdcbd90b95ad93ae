// Reads the import's settings from the upload metadata (tus Upload-Metadata):
// delimiter, encoding, header, mapping and the error policy. A bad value is a
// permanent failure with a message naming the key.

import { type ImportTargetSetting, parseImportTarget } from './destination/import-target.ts';
import { normaliseEncodingName, type SourceEncoding } from './format/sniff-encoding.ts';
import { ImportFileError } from './import-errors.ts';
import { type ColumnMapping, parseColumnMapping } from './rows/column-mapping.ts';
import type { ErrorPolicy } from './rows/error-policy.ts';

/** The import options as upload metadata (and preview query parameters) carry them: text, checked by importSettingsFromMetadata. */
export interface ImportOptionValues {
  delimiter?: string;
  quote?: string;
  escape?: string;
  encoding?: string;
  header?: string;
  mapping?: string;
}

export interface ImportSettings {
  /** Overrides the sniffed delimiter. */
  delimiter?: string;
  /** Overrides the sniffed quote character; '' turns quoting off. */
  quote?: string;
  /** Overrides the sniffed escape inside quotes: '\\', or the quote itself (doubling). */
  escape?: 'double' | '\\';
  /** Overrides the sniffed encoding. */
  encoding?: SourceEncoding;
  /** Overrides header detection. */
  header?: boolean;
  mapping?: ColumnMapping;
  /** An existing table to append to (the mapping's `target`), instead of a table of the import's own. */
  target?: ImportTargetSetting;
  errorPolicy?: ErrorPolicy;
}

const DELIMITER_NAMES: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };

function invalid(key: string, message: string): ImportFileError {
  return new ImportFileError(`Invalid metadata "${key}": ${message}`, { code: 'INVALID_METADATA' });
}

export function importSettingsFromMetadata(metadata: Record<string, string | null | undefined>): ImportSettings {
  const settings: ImportSettings = {};
  const value = (key: string) => {
    const raw = metadata[key];
    return raw === null || raw === undefined || raw.trim() === '' ? undefined : raw;
  };
  const delimiter = value('delimiter');
  if (delimiter !== undefined) {
    const resolved = DELIMITER_NAMES[delimiter.trim().toLowerCase()] ?? delimiter;
    if ([...resolved].length !== 1 || /["'\r\n]/.test(resolved))
      throw invalid('delimiter', 'expected one character such as , ; | or "tab"');
    settings.delimiter = resolved;
  }
  const quote = value('quote');
  if (quote !== undefined) settings.quote = parseQuote(quote, settings.delimiter);
  const escapeSetting = value('escape');
  if (escapeSetting !== undefined) settings.escape = parseEscape(escapeSetting);
  const encoding = value('encoding');
  if (encoding !== undefined) {
    const resolved = normaliseEncodingName(encoding);
    if (!resolved)
      throw invalid(
        'encoding',
        `"${encoding}" is not an encoding this service can read (e.g. utf-8, windows-1252, shift_jis)`,
      );
    settings.encoding = resolved;
  }
  const header = value('header')?.trim().toLowerCase();
  if (header !== undefined) {
    if (header !== 'true' && header !== 'false') throw invalid('header', 'expected true or false');
    settings.header = header === 'true';
  }
  const mapping = value('mapping');
  if (mapping !== undefined) {
    settings.mapping = parseColumnMapping(mapping);
    const target = parseImportTarget(mapping);
    if (target) settings.target = target;
  }
  const errorPolicy: ErrorPolicy = {};
  const maxErrors = value('maxErrors');
  if (maxErrors !== undefined) {
    if (!/^\d+$/.test(maxErrors.trim())) throw invalid('maxErrors', 'expected a whole number ≥ 0');
    errorPolicy.maxErrors = Number(maxErrors);
  }
  const maxErrorRatio = value('maxErrorRatio');
  if (maxErrorRatio !== undefined) {
    const ratio = Number(maxErrorRatio);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
      throw invalid('maxErrorRatio', 'expected a number from 0 to 1');
    errorPolicy.maxErrorRatio = ratio;
  }
  if (Object.keys(errorPolicy).length > 0) settings.errorPolicy = errorPolicy;
  return settings;
}

const NO_QUOTE = new Set(['none', 'off', 'false']);

function parseQuote(raw: string, delimiter: string | undefined): string {
  if (NO_QUOTE.has(raw.trim().toLowerCase())) return '';
  if ([...raw].length !== 1 || /[\r\n]/.test(raw) || raw === delimiter)
    throw invalid('quote', 'expected one character such as " or \', or "none" to read quotes as text');
  return raw;
}

function parseEscape(raw: string): 'double' | '\\' {
  const key = raw.trim().toLowerCase();
  if (key === '\\' || key === 'backslash') return '\\';
  if (key === '"' || key === "'" || key === 'double' || key === 'doubled') return 'double';
  throw invalid('escape', 'expected " (quotes doubled, the default) or \\ (backslash escapes)');
}
