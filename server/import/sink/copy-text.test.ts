import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCopyTextLine } from '../../../test/support/copy-text-reader.ts';
import { ANY_FIELD, CsvRecordParser } from '../parse/csv-record-parser.ts';
import { CopyTextBuffer, copyTextRow, copyTextValue, withoutNul } from './copy-text.ts';
import { PiecePool } from './piece-pool.ts';

describe('COPY text serialisation', () => {
  it('escapes what COPY text format treats as special, and writes NULL, numbers and booleans as COPY reads them', () => {
    expect(copyTextValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyTextValue('\\N')).toBe('\\\\N');
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextValue(12.5)).toBe('12.5');
    expect(copyTextValue(false)).toBe('false');
  });

  it('replaces U+0000, which PostgreSQL text cannot hold', () => {
    expect(withoutNul('a\u0000b')).toBe('a\uFFFDb');
    expect(copyTextValue('v\u0000')).toBe('v\uFFFD');
  });

  it('writes one line per row, record number first, emitting each piece once it is full', () => {
    const pieces: Buffer[] = [];
    const pool = new PiecePool(400);
    const buffer = new CopyTextBuffer((piece: Buffer) => pieces.push(piece), pool);
    buffer.add(1, 2, ['tab\there', 'back\\slash'], ANY_FIELD);
    buffer.add(2, 3, ['line\nbreak', '"quoted"'], 0b11);
    expect(pieces).toHaveLength(0);
    buffer.add(3, 5, ['Zoë', 'x'.repeat(120)], 0);
    // Room is kept for 3 bytes per character: line 3 did not fit beside lines 1 and 2.
    expect(pieces).toHaveLength(1);
    buffer.add(4, 6, ['y'.repeat(200)], 0);
    // Line 4 (more than a piece could need) goes out on its own, after the piece holding line 3.
    expect(pieces).toHaveLength(3);
    expect(buffer.count).toBe(4);
    expect(buffer.flush()).toEqual({ recordNumbers: [1, 2, 3, 4], lineNumbers: [2, 3, 5, 6] });
    expect(pieces).toHaveLength(3);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(
      [
        '1\ttab\\there\tback\\\\slash\n',
        '2\tline\\nbreak\t"quoted"\n',
        `3\tZoë\t${'x'.repeat(120)}\n`,
        `4\t${'y'.repeat(200)}\n`,
      ].join(''),
    );
    // Each piece is a buffer of its own: one already emitted may still be waiting in a socket.
    expect(new Set(pieces.map((piece) => piece.buffer)).size).toBe(3);
    // Once sent, a pool piece is written again; the long line's own buffer is not kept.
    pool.give(pieces[0] as Buffer);
    pool.give(pieces[2] as Buffer);
    buffer.add(5, 7, ['z'], 0);
    expect(buffer.flush().recordNumbers).toEqual([5]);
    expect(pieces.at(-1)?.toString('utf8')).toBe('5\tz\n');
    expect(pieces.at(-1)?.buffer).toBe(pieces[0]?.buffer);
    expect(buffer.flush().recordNumbers).toEqual([]);
    expect(pieces).toHaveLength(4);
  });

  it('writes plain values as they are and escapes those the parser marked', () => {
    expect(copyTextRow(['a', 'b c'], 0)).toBe('a\tb c');
    expect(copyTextRow(['say\\hi', 'x', 'two\nlines'], 0b101)).toBe('say\\\\hi\tx\ttwo\\nlines');
    expect(copyTextRow(['a\u0000', 1.5, null], ANY_FIELD)).toBe('a\uFFFD\t1.5\t\\N');
  });

  it('gives the parsed values back when COPY reads the line, for anything the parser reads', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '\\', '\t', '\u0001', 'é', '😀', '\u2028', 'N'),
      maxLength: 6,
    });
    const rows = fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(rows, fc.nat(), (table, cutSeed) => {
        const text = table
          .map((row) => `${row.map((value) => `"${value.replaceAll('"', '""')}"`).join(',')}\n`)
          .join('');
        const bytes = Buffer.from(text);
        const cut = cutSeed % (bytes.length + 1);
        const parser = new CsvRecordParser({ delimiter: ',', quote: '"', maxRecordSize: 1 << 20 });
        const records = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut)), ...parser.end()];
        expect(records).toHaveLength(table.length);
        records.forEach((record, i) => {
          expect(readCopyTextLine(copyTextRow(record.fields, record.escapes))).toEqual(table[i]?.map(withoutNul));
        });
      }),
      { numRuns: 300 },
    );
  });
});
