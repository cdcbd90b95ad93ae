import { describe, expect, it } from 'vitest';
import { sniffDialect } from './sniff-dialect.ts';
import { describeBinary, sniffEncoding } from './sniff-encoding.ts';
import { looksLikeHeader } from './sniff-table-shape.ts';

describe('sniffDialect', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1,5;2;3\n4;5,25;6\n'],
    ['\t', 'a\tb\tc\n1\t2, 3\t3\n'],
    ['|', 'a|b|c\n1|2|3\n'],
  ])('finds %j', (delimiter, text) => {
    expect(sniffDialect(text, true).delimiter).toBe(delimiter);
  });

  it('respects quotes: delimiters inside quoted fields do not count', () => {
    const text = 'id;note\n1;"a,b,c,d"\n2;"e,f,g,h"\n3;"x,\ny,z"\n';
    expect(sniffDialect(text, true)).toMatchObject({ delimiter: ';', quote: '"' });
  });

  it('takes the single quote only when it wraps fields and the double quote does not', () => {
    expect(sniffDialect("id,name\n1,'Smith, J'\n2,'Doe, A'\n", true).quote).toBe("'");
    expect(sniffDialect('id,name\n1,O\'Brien\n2,"Doe, A"\n', true).quote).toBe('"');
  });

  it('reports the line ending outside quotes', () => {
    expect(sniffDialect('a,b\r\n1,2\r\n', true).lineEnding).toBe('\r\n');
    expect(sniffDialect('a,"b\r\nc"\n1,2\n', true).lineEnding).toBe('\n');
    expect(sniffDialect('a,b\r1,2\r', true).lineEnding).toBe('\r');
  });

  it('skips a title line with one filled cell above a wider header', () => {
    const dialect = sniffDialect('Report 2024\nname,qty\nx,1\ny,2\n', true);
    expect(dialect).toMatchObject({ delimiter: ',', header: true, titleLines: ['Report 2024'] });
    expect(sniffDialect('name,qty\nx,1\n', true).titleLines).toEqual([]);
  });

  it('ignores a cut last line of a partial sample', () => {
    expect(sniffDialect('a;b\n1;2\n3;4\n"5;', false).delimiter).toBe(';');
  });

  it('lets declared settings win', () => {
    expect(sniffDialect('a,b\n1,2\n', true, { delimiter: ';', header: false })).toMatchObject({
      delimiter: ';',
      header: false,
    });
  });

  it('survives one odd quote: a lone quote at the start of a field does not turn a wide TSV into one column', () => {
    const row = (n: number) => Array.from({ length: 105 }, (_, i) => `v${n}_${i}`);
    const first = row(0);
    first[7] = '"unbalanced';
    const lines = [first, ...Array.from({ length: 80 }, (_, n) => row(n + 1))];
    // A later quote that could "close" the first one, as in real files.
    lines[40][3] = 'ends with a quote"';
    const dialect = sniffDialect(`${lines.map((line) => line.join('\t')).join('\n')}\n`, true);
    expect(dialect).toMatchObject({ delimiter: '\t', quote: '', columnCount: 105, consistency: 1 });
  });

  it('keeps the double quote where it wraps fields holding the delimiter', () => {
    const dialect = sniffDialect('id,note\n1,"a, b"\n2,"c, d"\n3,plain\n', true);
    expect(dialect).toMatchObject({ quote: '"', escape: '"', columnCount: 2, consistency: 1 });
  });

  it('detects backslash-escaped quotes', () => {
    const text = 'id,quote\n1,"she said \\"no, never\\""\n2,"a \\"b\\", c"\n3,"plain"\n';
    expect(sniffDialect(text, true)).toMatchObject({ delimiter: ',', quote: '"', escape: '\\', consistency: 1 });
    expect(sniffDialect('a,b\n1,"x ""y"""\n', true).escape).toBe('"');
  });

  it('skips note lines above the header, even ones holding a delimiter', () => {
    const text = 'Exported from Shop, version 3\n# 2024-01-01\nid,name,city,qty\n1,a,Oslo,3\n2,b,Bergen,4\n';
    const dialect = sniffDialect(text, true);
    expect(dialect).toMatchObject({ delimiter: ',', header: true, columnCount: 4 });
    expect(dialect.titleLines).toEqual(['Exported from Shop, version 3', '# 2024-01-01']);
  });

  it('takes a first row of blank names for a header, and a blank row above a header for a spacer', () => {
    expect(sniffDialect(',,\n1,2,3\n4,5,6\n', true)).toMatchObject({ header: true, titleLines: [] });
    expect(sniffDialect(',,\nid,qty,price\n1,2,3\n', true)).toMatchObject({ header: true, titleLines: [',,'] });
  });

  it('notices a header with one trailing delimiter more than its rows', () => {
    expect(sniffDialect('a,b,c,\n1,2,3\n4,5,6\n', true)).toMatchObject({
      headerTrailingDelimiter: true,
      columnCount: 3,
    });
    expect(sniffDialect('a,b,c\n1,2,3\n', true).headerTrailingDelimiter).toBe(false);
  });

  it('reads declared quote and escape settings, none included', () => {
    expect(sniffDialect('a\t"b\n1\t2\n', true, { delimiter: '\t', quote: '' })).toMatchObject({
      quote: '',
      escape: '',
    });
    expect(sniffDialect('a,b\n1,2\n', true, { escape: '\\' }).escape).toBe('\\');
  });
});

describe('looksLikeHeader', () => {
  it('says no when the first row holds numbers or dates like the rows below', () => {
    expect(
      looksLikeHeader([
        ['1', '2024-01-01'],
        ['2', '2024-01-02'],
      ]),
    ).toBe(false);
  });
  it('says yes for names above typed values, and for text-only tables', () => {
    expect(
      looksLikeHeader([
        ['id', 'when'],
        ['1', '2024-01-02'],
      ]),
    ).toBe(true);
    expect(
      looksLikeHeader([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toBe(true);
    expect(looksLikeHeader([['only', 'a header']])).toBe(true);
  });
});

describe('sniffEncoding', () => {
  it('reads BOMs', () => {
    expect(sniffEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toMatchObject({ encoding: 'utf-8', bomBytes: 3 });
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]))).toMatchObject({ encoding: 'utf-16le', bomBytes: 2 });
    expect(sniffEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toMatchObject({ encoding: 'utf-16be', bomBytes: 2 });
  });
  it('tells UTF-8 from Windows-1252, even with a character cut at the end of the sample', () => {
    expect(sniffEncoding(Buffer.from('naïve,ok\n', 'utf8')).encoding).toBe('utf-8');
    expect(sniffEncoding(Buffer.from('na\u00efve', 'latin1')).encoding).toBe('windows-1252');
    expect(sniffEncoding(Buffer.from('a,€').subarray(0, 4)).encoding).toBe('utf-8');
  });
  it('recognises UTF-16 without a BOM by its NUL bytes', () => {
    expect(sniffEncoding(Buffer.from('id,name\n1,x\n', 'utf16le')).encoding).toBe('utf-16le');
  });
  it('refuses binary data but tolerates a stray NUL', () => {
    expect(describeBinary(Buffer.from('%PDF-1.7'))).toBe('a PDF document');
    expect(describeBinary(Buffer.alloc(1000, 1))).toBe('binary data, not text');
    expect(describeBinary(Buffer.from('a,b\n1,x\u0000y\n'))).toBeNull();
  });
});
