import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { DEVELOPMENT_OWNER, ensureDevelopmentToken } from './development-token.ts';
import { findTokenOwner } from './tokens.ts';

describe('ensureDevelopmentToken', () => {
  let dataDir: string;
  let database: DatabaseHandle;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'csvup-devtoken-'));
    database = await openDatabase({ dataDir });
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates a token once, keeps it private on disk and prints the same one on every start', async () => {
    const first = await ensureDevelopmentToken(database.db, 'pepper', dataDir);
    expect(await findTokenOwner(database.db, 'pepper', first)).toBe(DEVELOPMENT_OWNER);
    expect((await stat(join(dataDir, 'dev-token'))).mode & 0o777).toBe(0o600);
    expect(await ensureDevelopmentToken(database.db, 'pepper', dataDir)).toBe(first);
  });

  it('replaces a saved token that no longer works', async () => {
    const first = await ensureDevelopmentToken(database.db, 'pepper', dataDir);
    await database.db.updateTable('api_tokens').set({ revoked_at: new Date() }).execute();
    const second = await ensureDevelopmentToken(database.db, 'pepper', dataDir);
    expect(second).not.toBe(first);
    expect(await findTokenOwner(database.db, 'pepper', second)).toBe(DEVELOPMENT_OWNER);
  });
});
