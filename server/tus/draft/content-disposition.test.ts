// The file name a draft client gives in Content-Disposition (RFC 6266): quoted, bare, RFC 8187 encoded.
import { describe, expect, it } from 'vitest';
import { filenameFromContentDisposition } from './content-disposition.ts';

describe('filenameFromContentDisposition', () => {
  it('reads a quoted or a bare filename parameter, unescaping quoted characters', () => {
    expect(filenameFromContentDisposition('attachment; filename="people.csv"')).toBe('people.csv');
    expect(filenameFromContentDisposition('attachment; filename=people.csv')).toBe('people.csv');
    expect(filenameFromContentDisposition('attachment; filename="say \\"hi\\".csv"')).toBe('say "hi".csv');
    expect(filenameFromContentDisposition('form-data; name="file"; FILENAME="Upper.csv"')).toBe('Upper.csv');
  });

  it('prefers filename* (RFC 8187, UTF-8) and falls back to filename when filename* is unreadable', () => {
    expect(filenameFromContentDisposition(`attachment; filename="a.csv"; filename*=UTF-8''K%C3%A4se.csv`)).toBe(
      'Käse.csv',
    );
    expect(filenameFromContentDisposition(`attachment; filename*=utf-8'de'Stra%C3%9Fe.csv; filename="x.csv"`)).toBe(
      'Straße.csv',
    );
    expect(filenameFromContentDisposition(`attachment; filename="a.csv"; filename*=UTF-8''%E0%A4%A.csv`)).toBe('a.csv');
    expect(filenameFromContentDisposition(`attachment; filename="a.csv"; filename*=ISO-8859-1''b.csv`)).toBe('a.csv');
  });

  it('answers undefined without a header or a file name', () => {
    expect(filenameFromContentDisposition(undefined)).toBeUndefined();
    expect(filenameFromContentDisposition('inline')).toBeUndefined();
  });
});
