import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { capture } from '../../test/support/upload-checks.ts';
import { findTokenOwner } from '../auth/tokens.ts';
import { loadConfig } from '../config/config.ts';
import { HELP, runCli } from './run-cli.ts';

describe('pnpm cli (embedded database)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'csvup-cli-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('migrates, then reports it is up to date', async () => {
    const first = capture();
    expect(await runCli(['migrate'], { DATA_DIR: dataDir }, first.io)).toBe(0);
    expect(first.out.stderr).toMatch(/^applied: 0001_initial, 0002_job_request_id/);
    const second = capture();
    expect(await runCli(['migrate'], { DATA_DIR: dataDir }, second.io)).toBe(0);
    expect(second.out.stderr).toBe('already up to date\n');
  });

  it('creates a working token and prints only the token', async () => {
    const { out, io } = capture();
    expect(await runCli(['token', 'create', 'alice', '--label', 'laptop'], { DATA_DIR: dataDir }, io)).toBe(0);
    const token = out.stdout.trim();
    expect(out.stdout).toBe(`${token}\n`);
    const database = await openDatabase({ dataDir });
    try {
      expect(await findTokenOwner(database.db, loadConfig({}).tokenPepper, token)).toBe('alice');
      const row = await database.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('owner', '=', 'alice')
        .executeTakeFirst();
      expect(row?.label).toBe('laptop');
      expect(row?.token_hash).not.toContain(token);
    } finally {
      await database.close();
    }
  });

  it('lists tokens without secrets and revokes one', async () => {
    const created = capture();
    await runCli(['token', 'create', 'bob'], { DATA_DIR: dataDir }, created.io);
    const token = created.out.stdout.trim();
    const listing = capture();
    expect(await runCli(['token', 'list'], { DATA_DIR: dataDir }, listing.io)).toBe(0);
    expect(listing.out.stdout).not.toContain(token);
    const line = listing.out.stdout.split('\n').find((l) => / bob /.test(l)) as string;
    expect(line).toMatch(/active$/);
    const id = line.split(/\s+/)[0] as string;
    const revoked = capture();
    expect(await runCli(['token', 'revoke', id], { DATA_DIR: dataDir }, revoked.io)).toBe(0);
    const database = await openDatabase({ dataDir });
    try {
      expect(await findTokenOwner(database.db, loadConfig({}).tokenPepper, token)).toBeNull();
    } finally {
      await database.close();
    }
    const after = capture();
    await runCli(['token', 'list'], { DATA_DIR: dataDir }, after.io);
    expect(after.out.stdout.split('\n').find((l) => / bob /.test(l))).toMatch(/revoked \d{4}-/);
  });

  it.each([
    [['token', 'create'], /owner must be/],
    [['token', 'create', 'has space'], /owner must be/],
    [['token', 'delete', 'x'], /usage: pnpm cli token create/],
    [['token', 'revoke', 'abc'], /usage: pnpm cli token revoke/],
    [['token', 'revoke', '999999'], /No active token with id 999999/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 with a message for %j', async (argv, message) => {
    const { out, io } = capture();
    expect(await runCli(argv, { DATA_DIR: dataDir }, io)).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('exits 2 naming the variable on a bad configuration', async () => {
    const { out, io } = capture();
    expect(await runCli(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: 'mysql://nope' }, io)).toBe(2);
    expect(out.stderr).toMatch(/^Invalid configuration: DATABASE_URL/);
  });

  it('prints help', async () => {
    const { out, io } = capture();
    expect(await runCli([], {}, io)).toBe(0);
    expect(out.stdout).toBe(HELP);
  });
});
