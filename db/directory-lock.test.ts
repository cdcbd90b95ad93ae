import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDirectoryLock, DirectoryBusyError } from './directory-lock.ts';

describe('acquireDirectoryLock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csvup-lock-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('records this process and releases', async () => {
    const path = join(dir, 'a.lock');
    const lock = await acquireDirectoryLock(path, 'the thing');
    expect(await readFile(path, 'utf8')).toBe(String(process.pid));
    await lock.release();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  it('refuses while another live process holds it, naming the process', async () => {
    const path = join(dir, 'b.lock');
    const holder = spawn('sleep', ['30']);
    try {
      await writeFile(path, String(holder.pid));
      const attempt = acquireDirectoryLock(path, 'the embedded database');
      await expect(attempt).rejects.toThrow(DirectoryBusyError);
      await expect(acquireDirectoryLock(path, 'the embedded database')).rejects.toThrow(
        new RegExp(`the embedded database is in use by process ${holder.pid}`),
      );
    } finally {
      holder.kill();
      await once(holder, 'exit');
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const path = join(dir, 'c.lock');
    const dead = spawn('true');
    await once(dead, 'exit');
    await writeFile(path, String(dead.pid));
    const lock = await acquireDirectoryLock(path, 'x');
    expect(await readFile(path, 'utf8')).toBe(String(process.pid));
    await lock.release();
  });
});
