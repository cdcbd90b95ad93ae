// Which files the service accepts: delimited text, recognised by extension and,
// when the client sends one, by MIME type (browsers on Windows label CSV as
// application/vnd.ms-excel, some clients send application/octet-stream).
export const ALLOWED_EXTENSIONS = ['.csv', '.tsv', '.tab', '.txt'] as const;

export const ALLOWED_MIME_TYPES = [
  'text/csv',
  'text/plain',
  'text/tab-separated-values',
  'text/x-csv',
  'application/csv',
  'application/x-csv',
  'application/vnd.ms-excel',
  'application/octet-stream',
] as const;

export function hasAllowedExtension(filename: string): boolean {
  const lower = filename.toLowerCase();
  return ALLOWED_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

export function isAllowedMimeType(filetype: string): boolean {
  const essence = filetype.split(';')[0]?.trim().toLowerCase() ?? '';
  return (ALLOWED_MIME_TYPES as readonly string[]).includes(essence);
}
