// A pid file that keeps a second process away from state only one process may
// open (the embedded database). A lock left by a dead process is taken over.
import { open, readFile, rm } from 'node:fs/promises';

export class DirectoryBusyError extends Error {
  constructor(
    readonly what: string,
    readonly pid: number,
  ) {
    super(
      `${what} is in use by process ${pid}. Stop that process first, or set DATABASE_URL to use a PostgreSQL server that many processes can share.`,
    );
    this.name = 'DirectoryBusyError';
  }
}

export interface DirectoryLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireDirectoryLock(lockPath: string, what: string): Promise<DirectoryLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw new DirectoryBusyError(what, pid);
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}
