import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyTextBuffer, copyTextValue, rowCopyJson, rowJson, withoutNul } from './copy-text.ts';
import { ANY_FIELD, CsvRecordParser } from './csv-record-parser.ts';
import { PiecePool } from './piece-pool.ts';

describe('COPY text serialisation', () => {
  it('escapes what COPY text format treats as special', () => {
    expect(copyTextValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('replaces U+0000 in values, which jsonb refuses, and keeps other values as they are', () => {
    expect(withoutNul('a\u0000b')).toBe('a\uFFFDb');
    expect(JSON.parse(rowJson(['v\u0000', '\\u0000 as text', 12.5, null, true]))).toEqual([
      'v\uFFFD',
      '\\u0000 as text',
      12.5,
      null,
      true,
    ]);
  });

  it('writes one line per row with the JSON backslashes doubled, emitting each piece once it is full', () => {
    const pieces: Buffer[] = [];
    const pool = new PiecePool(400);
    const buffer = new CopyTextBuffer('up', (piece) => pieces.push(piece), pool);
    buffer.add(1, ['tab\there', 'back\\slash'], ANY_FIELD);
    buffer.add(2, ['line\nbreak', '"quoted"'], 0b11);
    expect(pieces).toHaveLength(0);
    buffer.add(3, ['Zoë', 'x'.repeat(100)], 0);
    // Room is kept for 3 bytes per character: line 3 did not fit beside lines 1 and 2.
    expect(pieces).toHaveLength(1);
    buffer.add(4, ['y'.repeat(200)], 0);
    // Line 4 (more than a piece could need) goes out on its own, after the piece holding line 3.
    expect(pieces).toHaveLength(3);
    expect(buffer.count).toBe(4);
    expect(buffer.flush()).toBe(4);
    expect(pieces).toHaveLength(3);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(
      [
        'up\t1\t["tab\\\\there","back\\\\\\\\slash"]\n',
        'up\t2\t["line\\\\nbreak","\\\\"quoted\\\\""]\n',
        `up\t3\t["Zoë","${'x'.repeat(100)}"]\n`,
        `up\t4\t["${'y'.repeat(200)}"]\n`,
      ].join(''),
    );
    // Each piece is a buffer of its own: one already emitted may still be waiting in a socket.
    expect(new Set(pieces.map((piece) => piece.buffer)).size).toBe(3);
    // Once sent, a pool piece is written again; the long line's own buffer is not kept.
    pool.give(pieces[0] as Buffer);
    pool.give(pieces[2] as Buffer);
    buffer.add(5, ['z'], 0);
    expect(buffer.flush()).toBe(1);
    expect(pieces.at(-1)?.toString('utf8')).toBe('up\t5\t["z"]\n');
    expect(pieces.at(-1)?.buffer).toBe(pieces[0]?.buffer);
    expect(buffer.flush()).toBe(0);
    expect(pieces).toHaveLength(4);
  });

  it('writes plain values as they are and escapes those the parser marked', () => {
    expect(rowCopyJson(['a', 'b c'], 0)).toBe('["a","b c"]');
    expect(rowCopyJson(['say "hi"', 'x', 'two\nlines'], 0b101)).toBe('["say \\\\"hi\\\\"","x","two\\\\nlines"]');
    expect(rowCopyJson(['a\u0000', 1.5, null], ANY_FIELD)).toBe('["a\uFFFD",1.5,null]');
  });

  it('gives the same values back as JSON.stringify for anything the parser reads', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '\\', '\t', '\u0001', 'é', '😀', '\u2028'),
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
          const copyText = rowCopyJson(record.fields, record.escapes);
          // COPY text format turns a doubled backslash back into one.
          expect(JSON.parse(copyText.replaceAll('\\\\', '\\'))).toEqual(table[i]?.map(withoutNul));
        });
      }),
      { numRuns: 300 },
    );
  });
});
