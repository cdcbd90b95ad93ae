import { describe, expect, it } from 'vitest';
import { looksLikeHeader, sniffDialect, splitSample } from './sniff-dialect.ts';
import { describeBinary, sniffEncoding } from './sniff-encoding.ts';

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

  it('splits like csv-parse: doubled quotes, blank lines skipped', () => {
    expect(splitSample('a,"b ""q"""\n\n1,2\n', ',', '"')).toEqual([
      ['a', 'b "q"'],
      ['1', '2'],
    ]);
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
