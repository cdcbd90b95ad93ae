// Where imported rows land, end to end through the import job handler on both
// databases: a table of the import's own (named, typed, keyed, commented),
// rows PostgreSQL refuses set aside, appending to allowed existing tables
// with each conflict rule, and the table dropped with its upload.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../db/schema.ts';
import {
  availableDatabaseKinds,
  createRunningJob,
  readRowErrors,
  useImportTestbed,
} from '../../../test/support/import-testbed.ts';
import { createImportJobHandler } from '../../queue/import-job-handler.ts';
import { deleteUpload } from '../../uploads/delete-upload.ts';
import { fileImportSource } from '../source/import-source.ts';
import { kyselyRunner } from './kysely-runner.ts';
import { readImportRows } from './stored-rows.ts';

const kinds = await availableDatabaseKinds();
const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe.each(kinds)('import tables on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  /** Runs the import job of a new upload of `csv` named `filename` with `metadata`; returns its id, result or error. */
  async function runImport(
    filename: string,
    csv: string,
    metadata: Record<string, string> = {},
    targets = [] as string[],
  ) {
    const { handle } = testbed.database;
    const job = await createRunningJob(handle);
    await handle.db
      .updateTable('uploads')
      .set({ filename, metadata: JSON.stringify(metadata) })
      .where('id', '=', job.uploadId)
      .execute();
    const path = await testbed.fixtures.file(`${job.uploadId}.csv`, csv);
    const handler = createImportJobHandler({
      database: handle,
      uploadSource: () => fileImportSource(path),
      leaseMs: 30_000,
      destinations: {
        schema: 'imports',
        allowedTargets: targets.map((t) => ({ schema: t.split('.')[0], table: t.split('.')[1] })),
      },
    });
    const row = await handle.db.selectFrom('jobs').selectAll().where('id', '=', job.jobId).executeTakeFirstOrThrow();
    const context = { workerId: job.workerId, signal: new AbortController().signal, logger: silent };
    const outcome = await handler(row as Job, context).catch((error: Error) => error);
    return { id: job.uploadId, outcome };
  }

  const query = (text: string, params: unknown[] = []) => kyselyRunner(testbed.database.handle.db)(text, params);

  async function rowsOf(id: string) {
    const page = await readImportRows(testbed.database.handle.db, id, 0, 1000);
    if ('appendedTo' in page) throw new Error('appended');
    return page.rows.map((row) => row.data);
  }

  it('creates a table named after the file, with a safe column per CSV column, keyed on the record number', async () => {
    const csv = 'First Name,select,2024,First Name,record_number,Zip\nAda,x,1,y,7,00123\n';
    const { id, outcome } = await runImport('My Customers (2024).csv', csv, { header: 'true' });
    if (outcome instanceof Error) throw outcome;
    const destination = outcome.result.destination as Record<string, unknown>;
    const table = `my_customers_2024_${id.slice(0, 8)}`;
    expect(destination).toMatchObject({
      schema: 'imports',
      table,
      qualifiedName: `imports.${table}`,
      owned: true,
      recordNumbersUnique: true,
    });
    const columns = await query(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, col_description(attrelid, attnum) AS comment
         FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 ORDER BY attnum`,
      [`imports.${table}`],
    );
    expect(columns).toEqual([
      { name: 'record_number', type: 'bigint', comment: 'The record number in the file (1 = first data row)' },
      { name: 'first_name', type: 'text', comment: 'First Name' },
      { name: 'select_', type: 'text', comment: 'select' },
      { name: 'column_2024', type: 'text', comment: '2024' },
      { name: 'first_name_2', type: 'text', comment: 'First Name' },
      { name: 'record_number_2', type: 'text', comment: 'record_number' },
      { name: 'zip', type: 'text', comment: 'Zip' },
    ]);
    const [key] = await query(
      `SELECT a.attname AS column FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = to_regclass($1) AND i.indisprimary`,
      [`imports.${table}`],
    );
    expect(key).toEqual({ column: 'record_number' });
    // Without a mapping every value is text as written: 00123 keeps its zeros.
    expect(await query(`SELECT record_number::int AS n, zip FROM imports.${table}`)).toEqual([{ n: 1, zip: '00123' }]);
    // The API keys rows by the stored names (the header, made unique), as before.
    expect(await rowsOf(id)).toEqual([
      { 'First Name': 'Ada', select: 'x', '2024': '1', 'First Name_2': 'y', record_number: '7', Zip: '00123' },
    ]);
  });

  it('types the columns from the mapping and reads the typed values back', async () => {
    const mapping = JSON.stringify({
      columns: [
        { source: 'id', type: 'integer' },
        { source: 'amount', type: 'decimal' },
        { source: 'ok', type: 'boolean' },
        { source: 'day', type: 'date' },
        { source: 'at', type: 'timestamp' },
        { source: 'mail', type: 'email' },
      ],
    });
    const csv = 'id,amount,ok,day,at,mail\n1,0.10,yes,2024-02-29,2024-03-01T08:00:00+01:00,a@b.co\n2,,no,,,c@d.org\n';
    const { id, outcome } = await runImport('typed.csv', csv, { mapping });
    if (outcome instanceof Error) throw outcome;
    const table = `imports.typed_${id.slice(0, 8)}`;
    const types = await query(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass($1) AND attnum > 1 ORDER BY attnum`,
      [table],
    );
    expect(types.map((t) => t.type)).toEqual([
      'bigint',
      'numeric',
      'boolean',
      'date',
      'timestamp with time zone',
      'text',
    ]);
    expect(await rowsOf(id)).toEqual([
      { id: 1, amount: '0.10', ok: true, day: '2024-02-29', at: '2024-03-01T07:00:00Z', mail: 'a@b.co' },
      { id: 2, amount: null, ok: false, day: null, at: null, mail: 'c@d.org' },
    ]);
    // Real columns: SQL can filter and sum them.
    expect(await query(`SELECT sum(id)::int AS ids FROM ${table} WHERE ok`)).toEqual([{ ids: 1 }]);
  });

  it('sets aside each row PostgreSQL refuses and loads the rest of the batch', async () => {
    // A table someone gave a constraint the import cannot know of: PostgreSQL refuses rows the parser accepted.
    const { handle } = testbed.database;
    const probe = await runImport('probe.csv', 'n\n1\n');
    const job = await createRunningJob(handle);
    const id = job.uploadId;
    await query(
      `CREATE TABLE imports.checked_${id.slice(0, 8)} (record_number bigint NOT NULL, n text CHECK (n <> 'bad'))`,
    );
    await handle.db.updateTable('uploads').set({ filename: 'checked.csv' }).where('id', '=', id).execute();
    const lines = ['n'];
    for (let i = 1; i <= 3000; i++) lines.push(i % 1000 === 0 || i === 1 ? 'bad' : String(i));
    const path = await testbed.fixtures.file(`${id}.csv`, `${lines.join('\n')}\n`);
    const handler = createImportJobHandler({
      database: handle,
      uploadSource: () => fileImportSource(path),
      leaseMs: 30_000,
    });
    const row = await handle.db.selectFrom('jobs').selectAll().where('id', '=', job.jobId).executeTakeFirstOrThrow();
    const outcome = await handler(row as Job, {
      workerId: job.workerId,
      signal: new AbortController().signal,
      logger: silent,
    });
    expect(probe.outcome).not.toBeInstanceOf(Error);
    expect(outcome.result).toMatchObject({ rows: 2996, rowsRejected: 4 });
    const errors = await readRowErrors(handle, id);
    // A check constraint names no column; the record and its line do.
    expect(errors.map((e) => [e.recordNumber, e.lineNumber])).toEqual([
      [1, 2],
      [1000, 1001],
      [2000, 2001],
      [3000, 3001],
    ]);
    expect(errors[0].message).toMatch(/PostgreSQL refused the row: .*check constraint/);
    const [stats] = await query(
      `SELECT count(*)::int AS n, min(record_number)::int AS first FROM imports.checked_${id.slice(0, 8)}`,
    );
    expect(stats).toEqual({ n: 2996, first: 2 });
  });

  it('appends to an allowed existing table under each conflict rule, and refuses a table not allowed', async () => {
    const table = `customers_${kind}`;
    await query(`DROP TABLE IF EXISTS public.${table}`);
    await query(`CREATE TABLE public.${table} (id integer PRIMARY KEY, name text NOT NULL, since date)`);
    await query(`INSERT INTO public.${table} VALUES (1, 'old', NULL)`);
    const csv = 'ID,Name,Since\n1,Ada,2024-01-02\n2,Bob,\n3,Cy,2024-01-33\n2,Bobby,\n';
    await query(`ALTER TABLE public.${table} ADD CHECK (name <> 'Bobby')`);
    const columns = [
      { source: 'ID', name: 'id', type: 'integer' },
      { source: 'Name', name: 'name' },
      { source: 'Since', name: 'since', type: 'date' },
    ];
    const allowed = [`public.${table}`];
    const mapping = (onConflict: string) => JSON.stringify({ target: `public.${table}`, onConflict, columns });

    const refused = await runImport('c.csv', csv, { mapping: mapping('error') }, []);
    expect(refused.outcome).toBeInstanceOf(Error);
    expect((refused.outcome as Error).message).toMatch(/not an allowed import target/);

    const plain = await runImport('c.csv', csv, { mapping: mapping('error') }, allowed);
    if (plain.outcome instanceof Error) throw plain.outcome;
    // Row 3's date is no date (the parser refuses it); PostgreSQL refuses id 1 (it exists) and row 4 (the check).
    expect(plain.outcome.result).toMatchObject({ rows: 1, rowsRejected: 3, destination: { owned: false } });
    const plainErrors = await readRowErrors(testbed.database.handle, plain.id);
    expect(plainErrors.map((e) => e.recordNumber)).toEqual([1, 3, 4]);
    expect(plainErrors[0].message).toMatch(/PostgreSQL refused the row: duplicate key/);
    expect(await query(`SELECT id, name FROM public.${table} ORDER BY id`)).toEqual([
      { id: 1, name: 'old' },
      { id: 2, name: 'Bob' },
    ]);
    const page = await readImportRows(testbed.database.handle.db, plain.id, 0, 10);
    expect(page).toEqual({ appendedTo: `public.${table}` });

    const skipped = await runImport('c.csv', csv, { mapping: mapping('skip') }, allowed);
    if (skipped.outcome instanceof Error) throw skipped.outcome;
    // Existing keys are skipped; the date and the check still refuse their rows.
    expect(skipped.outcome.result).toMatchObject({ rowsRejected: 2 });
    expect(await query(`SELECT id, name FROM public.${table} ORDER BY id`)).toEqual([
      { id: 1, name: 'old' },
      { id: 2, name: 'Bob' },
    ]);

    const updated = await runImport('c.csv', csv, { mapping: mapping('update') }, allowed);
    if (updated.outcome instanceof Error) throw updated.outcome;
    // Existing keys are updated, except by the row the check refuses.
    expect(await query(`SELECT id, name, since::text FROM public.${table} ORDER BY id`)).toEqual([
      { id: 1, name: 'Ada', since: '2024-01-02' },
      { id: 2, name: 'Bob', since: null },
    ]);
    // Deleting the upload leaves a table it appended to alone.
    await deleteUpload(testbed.database.handle.db, { remove: async () => {} }, updated.id);
    expect(await query(`SELECT count(*)::int AS n FROM public.${table}`)).toEqual([{ n: 2 }]);
  });

  it("updates with the file's last row of a key when one key comes twice", async () => {
    const table = `prices_${kind}`;
    await query(`DROP TABLE IF EXISTS public.${table}`);
    await query(`CREATE TABLE public.${table} (sku text PRIMARY KEY, price numeric)`);
    await query(`INSERT INTO public.${table} VALUES ('a', 1), ('b', 2)`);
    const columns = [{ source: 'sku' }, { source: 'price', type: 'decimal' }];
    const mapping = JSON.stringify({ target: table, onConflict: 'update', columns });
    const { outcome } = await runImport('p.csv', 'sku,price\nb,20\nc,3\nb,21\n', { mapping }, [`public.${table}`]);
    if (outcome instanceof Error) throw outcome;
    expect(outcome.result).toMatchObject({
      rows: 3,
      rowsRejected: 0,
      destination: { qualifiedName: `public.${table}` },
    });
    expect(await query(`SELECT sku, price::text FROM public.${table} ORDER BY sku`)).toEqual([
      { sku: 'a', price: '1' },
      { sku: 'b', price: '21' },
      { sku: 'c', price: '3' },
    ]);
  });

  it('drops the import table with its upload', async () => {
    const { id, outcome } = await runImport('gone.csv', 'a\n1\n');
    if (outcome instanceof Error) throw outcome;
    const table = `imports.gone_${id.slice(0, 8)}`;
    expect(await query('SELECT to_regclass($1) IS NOT NULL AS present', [table])).toEqual([{ present: true }]);
    await deleteUpload(testbed.database.handle.db, { remove: async () => {} }, id);
    expect(await query('SELECT to_regclass($1) IS NOT NULL AS present', [table])).toEqual([{ present: false }]);
    const left = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM import_destinations WHERE upload_id = ${id}`.execute(testbed.database.handle.db);
    expect(left.rows[0].n).toBe(0);
  });
});
