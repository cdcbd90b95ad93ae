// Holds an upload's lock (the tus server's locker: in memory, or the Postgres
// advisory lock shared by every API process) around a draft request, as
// @tus/server does around a tus one: when another request asks for the lock,
// the holder gets `drainMs` to land the bytes on their way, then `stop` aborts
// and its write ends with what it has.
import type { Locker } from '@tus/utils';

export interface UploadLockOptions {
  locker: Locker;
  drainMs: number;
  /** Aborted when the client goes away while waiting for the lock. */
  signal: AbortSignal;
}

export async function withUploadLock<T>(
  options: UploadLockOptions,
  id: string,
  work: (stop: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  let drain: NodeJS.Timeout | undefined;
  const lock = options.locker.newLock(id);
  await lock.lock(options.signal, () => {
    drain ??= setTimeout(() => stop.abort(), options.drainMs);
  });
  try {
    return await work(stop.signal);
  } finally {
    clearTimeout(drain);
    await lock.unlock();
  }
}
