import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkPool } from './chunk-pool.ts';
import { CopyTextBuffer, copyTextValue, rowCopyJson, rowJson, withoutNul } from './copy-text.ts';
import { ANY_FIELD, CsvRecordParser } from './csv-record-parser.ts';

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

  it('writes one line per row with the JSON backslashes doubled, into pooled chunks', () => {
    const pool = new ChunkPool(400);
    const buffer = new CopyTextBuffer('up', pool);
    buffer.add(1, ['tab\there', 'back\\slash'], ANY_FIELD);
    buffer.add(2, ['line\nbreak', '"quoted"'], 0b11);
    buffer.add(3, ['Zoë', 'x'.repeat(100)], 0);
    buffer.add(4, ['y'.repeat(200)], 0);
    expect(buffer.count).toBe(4);
    const rows = buffer.take();
    expect(rows.count).toBe(4);
    expect(Buffer.concat(rows.pieces).toString('utf8')).toBe(
      [
        'up\t1\t["tab\\\\there","back\\\\\\\\slash"]\n',
        'up\t2\t["line\\\\nbreak","\\\\"quoted\\\\""]\n',
        `up\t3\t["Zoë","${'x'.repeat(100)}"]\n`,
        `up\t4\t["${'y'.repeat(200)}"]\n`,
      ].join(''),
    );
    // Room is kept for 3 bytes per character: lines 1 and 2 share a chunk, line 3 starts
    // the next, and line 4 (more than a chunk could need) gets a buffer of its own.
    expect(rows.pieces).toHaveLength(3);
    const pooled = rows.pieces.slice(0, 2).map((piece) => piece.buffer);
    rows.release();
    expect(pooled).toContain(pool.take().buffer);
    expect(buffer.take()).toMatchObject({ count: 0, pieces: [] });
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
