import { describe, expect, it } from 'vitest';
import { countLineBreaks } from './line-breaks.ts';
import { RecordLocator } from './record-locator.ts';

const bytes = (text: string) => Buffer.from(text);

describe('countLineBreaks', () => {
  it('counts LF, CRLF and a lone CR once each', () => {
    expect(countLineBreaks(bytes('a\nb\r\nc\rd'), 0, 8)).toBe(3);
  });

  it('counts only inside the range', () => {
    expect(countLineBreaks(bytes('\n\nab\n\n'), 2, 5)).toBe(1);
  });

  it('does not count a CR twice when its LF is just past the range', () => {
    const buf = bytes('ab\r\n');
    expect(countLineBreaks(buf, 0, 3, buf[3]) + countLineBreaks(buf, 3, 4)).toBe(1);
    expect(countLineBreaks(buf, 0, 3)).toBe(1);
  });
});

describe('RecordLocator', () => {
  it('numbers records by the line they start on, across quoted line breaks and blank lines', () => {
    // Record ends as csv-parse reports them (offset after the line ending).
    const text = 'h1,h2\r\n"a\r\nb",1\r\n\r\n\nc,2\nd,3';
    const locator = new RecordLocator(0, 1);
    locator.append(bytes(text.slice(0, 9)));
    locator.append(bytes(text.slice(9)));
    const ends = [7, 17, 24, text.length];
    const lines = ends.map((end) => locator.take(end));
    expect(lines).toEqual([
      { line: 1, raw: 'h1,h2' },
      { line: 2, raw: '"a\r\nb",1' },
      { line: 6, raw: 'c,2' },
      { line: 7, raw: 'd,3' },
    ]);
    expect(locator.line).toBe(7);
    expect(locator.offset).toBe(text.length);
  });

  it('continues from a checkpoint offset and line', () => {
    const locator = new RecordLocator(100, 40);
    locator.append(bytes('x,"1\n2"\ny,3\n'));
    locator.skip(108);
    expect(locator.line).toBe(42);
    expect(locator.take(112)).toEqual({ line: 42, raw: 'y,3' });
  });

  it('counts lines of skipped records lazily, across chunk boundaries, split CRLFs included', () => {
    const text = 'a\r\nb\r\n"c\r\nd"\r\ne\r\n';
    const locator = new RecordLocator(0, 1);
    for (const piece of [text.slice(0, 2), text.slice(2, 7), text.slice(7)]) locator.append(bytes(piece));
    for (const end of [3, 6, 14]) locator.skip(end);
    expect(locator.line).toBe(5);
    expect(locator.take(17)).toEqual({ line: 5, raw: 'e' });
    expect(locator.line).toBe(6);
  });

  it('finds the line where the record after the last emitted one starts', () => {
    const text = 'a,b\n1,2\n\n"unterminated\n...';
    const atStart = new RecordLocator(0, 1);
    atStart.append(bytes(text));
    expect(atStart.lineOfRecordAfter(0)).toBe(1);
    const later = new RecordLocator(0, 1);
    later.append(bytes(text));
    later.skip(4);
    expect(later.lineOfRecordAfter(8)).toBe(4);
  });
});
