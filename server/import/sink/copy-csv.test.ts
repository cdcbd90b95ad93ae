import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCopyCsvLine } from '../../../test/support/copy-csv-reader.ts';
import { ANY_FIELD, CsvRecordParser } from '../parse/csv-record-parser.ts';
import { CopyCsvBuffer, copyCsvFormatFor, copyCsvOptions, copyCsvRow, copyCsvValue, withoutNul } from './copy-csv.ts';
import { PiecePool } from './piece-pool.ts';

const COMMA = { delimiter: ',', quote: '"', verbatim: true };

describe('COPY CSV serialisation', () => {
  it('quotes text (doubling its quotes), and writes NULL, numbers and booleans as COPY reads them', () => {
    expect(copyCsvValue('say "hi", ok', '"')).toBe('"say ""hi"", ok"');
    expect(copyCsvValue('\\N', '"')).toBe('"\\N"');
    expect(copyCsvValue('', '"')).toBe('""');
    expect(copyCsvValue(null, '"')).toBe('\\N');
    expect(copyCsvValue(12.5, '"')).toBe('12.5');
    expect(copyCsvValue(false, '"')).toBe('false');
    expect(copyCsvValue("it's", "'")).toBe("'it''s'");
  });

  it('replaces U+0000, which PostgreSQL text cannot hold', () => {
    expect(withoutNul('a\u0000b')).toBe('a\uFFFDb');
    expect(copyCsvValue('v\u0000', '"')).toBe('"v\uFFFD"');
  });

  it("keeps a file's delimiter and quote when PostgreSQL takes them, so its records can go verbatim", () => {
    expect(copyCsvFormatFor({ delimiter: ';', quote: '"' })).toEqual({ delimiter: ';', quote: '"', verbatim: true });
    expect(copyCsvFormatFor({ delimiter: '\t', quote: "'" })).toEqual({ delimiter: '\t', quote: "'", verbatim: true });
    // Backslash escapes, no quote character, a multi-byte delimiter: every row is encoded, with comma and double quote.
    const encoded = { delimiter: ',', quote: '"', verbatim: false };
    expect(copyCsvFormatFor({ delimiter: ',', quote: '"', escape: '\\' })).toEqual(encoded);
    expect(copyCsvFormatFor({ delimiter: ',', quote: '' })).toEqual(encoded);
    expect(copyCsvFormatFor({ delimiter: '§', quote: '"' })).toEqual(encoded);
    expect(copyCsvOptions({ delimiter: "'", quote: '"', verbatim: true })).toBe(
      "(FORMAT csv, DELIMITER '''', QUOTE '\"', NULL '\\N')",
    );
  });

  it('writes one line per row, record number first, emitting each piece once it is full', () => {
    const pieces: Buffer[] = [];
    const pool = new PiecePool(400);
    const buffer = new CopyCsvBuffer(COMMA, (piece: Buffer) => pieces.push(piece), pool);
    buffer.add(1, 2, ['comma, here', 'back\\slash'], ANY_FIELD);
    buffer.add(2, 3, ['line\nbreak', '"quoted"'], 0b11);
    expect(pieces).toHaveLength(0);
    buffer.add(3, 5, ['Zoë', 'x'.repeat(120)], 0);
    // Room is kept for 3 bytes per character: line 3 did not fit beside lines 1 and 2.
    expect(pieces).toHaveLength(1);
    buffer.add(4, 6, ['y'.repeat(200)], 0);
    // Line 4 (more than a piece could need) goes out on its own, after the piece holding line 3.
    expect(pieces).toHaveLength(3);
    buffer.addVerbatim(1234567, 9, '"as","written ""here"""');
    expect(buffer.count).toBe(5);
    const origins = buffer.flush();
    expect(origins.recordNumbers()).toEqual([1, 2, 3, 4, 1234567]);
    expect(origins.lineNumbers()).toEqual([2, 3, 5, 6, 9]);
    expect(pieces).toHaveLength(4);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(
      [
        '1,"comma, here","back\\slash"\n',
        '2,"line\nbreak","""quoted"""\n',
        `3,"Zoë","${'x'.repeat(120)}"\n`,
        `4,"${'y'.repeat(200)}"\n`,
        '1234567,"as","written ""here"""\n',
      ].join(''),
    );
    // Each piece is a buffer of its own: one already emitted may still be waiting in a socket.
    expect(new Set(pieces.map((piece) => piece.buffer)).size).toBe(4);
    // Once sent, a pool piece is written again; the long line's own buffer is not kept.
    pool.give(pieces[0] as Buffer);
    pool.give(pieces[2] as Buffer);
    buffer.add(5, 7, ['z'], 0);
    expect(buffer.flush().recordNumbers()).toEqual([5]);
    expect(pieces.at(-1)?.toString('utf8')).toBe('5,"z"\n');
    expect(pieces.at(-1)?.buffer).toBe(pieces[0]?.buffer);
    expect(buffer.flush().recordNumbers()).toEqual([]);
  });

  it('writes a verbatim record as the bytes the file has, non-ASCII ones included', () => {
    const pieces: Buffer[] = [];
    const buffer = new CopyCsvBuffer(
      { delimiter: ';', quote: "'", verbatim: true },
      (p) => pieces.push(p),
      new PiecePool(),
    );
    const bytes = Buffer.from("'Zoë';😀;''", 'utf8');
    buffer.addVerbatim(7, 1, bytes.toString('latin1'));
    buffer.flush();
    expect(Buffer.concat(pieces).toString('utf8')).toBe("7;'Zoë';😀;''\n");
  });

  it('gives the parsed values back when COPY reads the line, for anything the parser reads', () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', '\\', '\t', '\u0001', 'é', '😀', '\u2028', 'N', '\u0000'),
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
          expect(readCopyCsvLine(copyCsvRow(record.fields, record.escapes, COMMA), COMMA)).toEqual(
            table[i]?.map(withoutNul),
          );
        });
      }),
      { numRuns: 300 },
    );
  });
});
