import { describe, expect, it } from 'vitest';
import { hasAllowedExtension, isAllowedMimeType } from './file-types.ts';
import { generateUploadId, isValidUploadId } from './upload-id.ts';

describe('upload ids', () => {
  it('are 32 lowercase hex characters and unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, generateUploadId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isValidUploadId(id)).toBe(true);
  });

  it.each([
    '',
    '../etc/passwd',
    'a'.repeat(32).toUpperCase(),
    `${'a'.repeat(31)}/`,
    'a'.repeat(33),
    `${'a'.repeat(31)}\0`,
  ])('refuses %j', (id) => expect(isValidUploadId(id)).toBe(false));
});

describe('accepted file types', () => {
  it.each(['data.csv', 'DATA.CSV', 'export.tsv', 'notes.txt', 'x.tab'])('accepts %s', (name) =>
    expect(hasAllowedExtension(name)).toBe(true),
  );
  it.each(['photo.png', 'csv', 'data.csv.exe', 'report.xlsx'])('refuses %s', (name) =>
    expect(hasAllowedExtension(name)).toBe(false),
  );
  it('accepts CSV MIME types, parameters included, and refuses others', () => {
    expect(isAllowedMimeType('text/csv; charset=utf-8')).toBe(true);
    expect(isAllowedMimeType('application/vnd.ms-excel')).toBe(true);
    expect(isAllowedMimeType('image/png')).toBe(false);
    expect(isAllowedMimeType('text/html')).toBe(false);
  });
});
