// A typed import stores the same rows and row errors whether its records go to
// PostgreSQL verbatim (converted there) or parsed and encoded by the mapping:
// the same file is imported twice into a real database, once with doubled
// quotes (verbatim records allowed) and once declared with backslash escapes,
// which never go verbatim and read this file alike (it holds no backslash and
// no quote inside a value, where the two dialects differ).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availableDatabaseKinds, importWithMetadata, useImportTestbed } from '../../../test/support/import-testbed.ts';
import { parseColumnMapping } from './column-mapping.ts';
import { verbatimCheckFor } from './verbatim-values.ts';

const CELLS: Record<string, string[]> = {
  id: ['1', '007', '-0', '+5', ' 7', '9007199254740991', '99999999999999999', '1e3', '', 'n/a', '123456789012345'],
  amount: ['1.50', '.5', '007.50', '-0.00', '1,5', '+2.0', '-12', '1.', 'x'],
  day: ['2024-02-29', '2023-02-29', '0000-01-01', '2024-1-05', ' 2024-01-05', '2024-13-01', '1999-12-31', ''],
  email: ['a@b.co', ' a@b.co', 'a@b', 'x y@b.co', 'Zoë@exämple.de', ''],
  ok: ['Yes', 'TRUE', 'tr', 'of', '1', '2', 'off', ' n'],
  name: ['', ' ', 'x', 'Zoë', 'a,b'],
};
const MAPPING = JSON.stringify({
  columns: [
    { source: 'id', type: 'integer' },
    { source: 'amount', type: 'decimal' },
    { source: 'day', type: 'date' },
    { source: 'email', type: 'email' },
    { source: 'ok', type: 'boolean' },
    { source: 'name', type: 'text', required: true },
  ],
});
const NAMES = Object.keys(CELLS);
const row = fc.tuple(...NAMES.map((name) => fc.constantFrom(...(CELLS[name] as string[]))));
const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;

describe('verbatim typed records', () => {
  it('are only taken when every column stays in its place and no type reads its text otherwise', () => {
    const columns = ['a', 'b'];
    const mapping = (json: unknown[]) => parseColumnMapping(JSON.stringify(json));
    expect(verbatimCheckFor(mapping([{ source: 'a' }, { source: 'b', type: 'integer' }]), columns)?.(['x', '12'])).toBe(
      true,
    );
    expect(verbatimCheckFor(mapping([{ source: 'b' }, { source: 'a' }]), columns)).toBeNull();
    expect(verbatimCheckFor(mapping([{ source: 'a' }]), columns)).toBeNull();
    expect(verbatimCheckFor(mapping([{ source: 'a' }, { source: 'b', type: 'timestamp' }]), columns)).toBeNull();
    expect(
      verbatimCheckFor(mapping([{ source: 'a' }, { source: 'b', type: 'date', format: 'DD/MM/YYYY' }]), columns),
    ).toBeNull();
  });
});

describe.each(await availableDatabaseKinds())('a typed import into %s', (kind) => {
  const testbed = useImportTestbed(kind);

  it('stores the same rows and errors with verbatim records as without', async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
        const text = `${NAMES.join(',')}\n${rows.map((cells) => cells.map(quoted).join(',')).join('\n')}\n`;
        const path = await testbed.fixtures.file(`typed-${file++}.csv`, text);
        const metadata = { mapping: MAPPING, delimiter: ',', quote: '"', header: 'true', encoding: 'utf-8' };
        const verbatim = await importWithMetadata(testbed.database, path, { ...metadata, escape: 'double' });
        const encoded = await importWithMetadata(testbed.database, path, { ...metadata, escape: '\\' });
        expect(verbatim.outcome).not.toBeInstanceOf(Error);
        expect(verbatim.rows).toEqual(encoded.rows);
        const described = (errors: typeof verbatim.errors) =>
          errors.map(({ recordNumber, column, message }) => ({ recordNumber, column, message }));
        expect(described(verbatim.errors)).toEqual(described(encoded.errors));
        expect(verbatim.rows.length + verbatim.errors.length).toBe(rows.length);
      }),
      { numRuns: kind === 'embedded' ? 15 : 40 },
    );
  });
});
