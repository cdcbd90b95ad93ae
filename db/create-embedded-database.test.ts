// A new embedded database is created by a child process; the service's own
// process then opens it as it would any existing one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client.ts';
import { createEmbeddedDatabase, embeddedDatabaseExists } from './create-embedded-database.ts';

describe('creating the embedded database', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'csvup-embedded-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('creates a database the service then opens and uses', async () => {
    const dataDir = join(scratch, 'data');
    expect(embeddedDatabaseExists(join(dataDir, 'db'))).toBe(false);
    const handle = await openDatabase({ dataDir });
    try {
      expect(embeddedDatabaseExists(join(dataDir, 'db'))).toBe(true);
      if (handle.kind !== 'embedded') throw new Error('expected the embedded database');
      const { rows } = await handle.pglite.query<{ answer: number }>('select 6 * 7 as answer');
      expect(rows).toEqual([{ answer: 42 }]);
    } finally {
      await handle.close();
    }
  });

  it("reports the child's error when the directory cannot be created", async () => {
    const blocker = join(scratch, 'a-file');
    await writeFile(blocker, 'not a directory');
    await expect(createEmbeddedDatabase(join(blocker, 'db'))).rejects.toThrow(
      /Creating the embedded database in .*a-file\/db failed \(exit 1\): .+/,
    );
  });
});
