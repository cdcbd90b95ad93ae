import { describe, expect, it } from 'vitest';
import { parseColumnMapping } from './column-mapping.ts';
import { suggestMapping } from './suggest-mapping.ts';

describe('suggestMapping', () => {
  const names = ['id', 'zip', 'price', 'active', 'born', 'us', 'seen', 'mail', 'note', 'empty'];
  const rows = [
    ['1', '01234', '12.50', 'yes', '24/12/1990', '12/24/1990', '2024-03-01T10:00:00Z', 'a@example.com', 'x', ''],
    ['2', '99', '-0.5', 'no', '01/02/2001', '02/01/2001', '2024-03-02 08:30', 'b@example.org', '12', ''],
    ['30', '77', '3', 'true', '15/06/1985', '06/15/1985', '2024-05-05T05:05:05+02:00', 'c@example.net', 'y', ''],
  ];

  it('suggests the most specific type that reads every sample cell, keeping leading zeros as text', () => {
    const { columns } = suggestMapping(names, rows, ',');
    expect(
      columns.map((column) => [column.name, column.type, column.format ?? column.decimalSeparator ?? null]),
    ).toEqual([
      ['id', 'integer', null],
      ['zip', 'text', null],
      ['price', 'decimal', null],
      ['active', 'boolean', null],
      ['born', 'date', 'DD/MM/YYYY'],
      ['us', 'date', 'MM/DD/YYYY'],
      ['seen', 'timestamp', null],
      ['mail', 'email', null],
      ['note', 'text', null],
      ['empty', 'text', null],
    ]);
  });

  it('reads decimal commas only where the comma is not the delimiter', () => {
    expect(suggestMapping(['amount'], [['12,50'], ['7,5']], ';').columns[0]).toMatchObject({
      type: 'decimal',
      decimalSeparator: ',',
    });
    expect(suggestMapping(['amount'], [['12,50']], ',').columns[0].type).toBe('text');
  });

  it('is a mapping the mapping metadata accepts as it is', () => {
    const suggestion = suggestMapping(names, rows, ',');
    expect(parseColumnMapping(JSON.stringify(suggestion)).map((column) => column.type)).toEqual(
      suggestion.columns.map((column) => column.type),
    );
  });
});
