// Assembles a final upload (tus concatenation) from its partials, in the order
// the client listed them, by streaming each partial file onto the end of the
// final one: a 3 GiB upload never sits in memory. The partials are locked for
// the duration so no termination or PATCH can change them midway.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Lock } from '@tus/utils';
import { ProtocolError } from './tus-errors.ts';
import type { UploadFileStore } from './upload-file-store.ts';

async function lockPartials(store: UploadFileStore, ids: string[]): Promise<Lock[]> {
  const locks: Lock[] = [];
  if (!store.locker) return locks;
  // One order for everyone: two finals sharing partials cannot deadlock.
  for (const id of [...new Set(ids)].sort()) {
    const lock = store.locker.newLock(id);
    try {
      // The assembly cannot be interrupted: a release request just waits for it.
      await lock.lock(new AbortController().signal, () => {});
    } catch (error) {
      await Promise.all(locks.map((held) => held.unlock()));
      throw error;
    }
    locks.push(lock);
  }
  return locks;
}

/** Checks again, under the locks, what the route checked before creation: every partial complete. */
async function completeLength(store: UploadFileStore, id: string): Promise<number> {
  const partial = await store.getUpload(id).catch(() => undefined);
  if (!partial || partial.size === undefined || partial.offset !== partial.size) {
    throw new ProtocolError(400, 'invalid_request', `Partial upload ${id} is gone or unfinished`);
  }
  return partial.size;
}

export async function assembleFinalUpload(
  store: UploadFileStore,
  finalId: string,
  partialIds: string[],
  expectedSize: number,
): Promise<void> {
  const locks = await lockPartials(store, partialIds);
  try {
    let total = 0;
    for (const id of partialIds) total += await completeLength(store, id);
    if (total !== expectedSize) {
      throw new ProtocolError(409, 'conflict', 'The partial uploads changed while the final upload was created');
    }
    for (const id of partialIds) {
      await pipeline(createReadStream(store.filePath(id)), createWriteStream(store.filePath(finalId), { flags: 'a' }));
    }
  } finally {
    await Promise.all(locks.map((lock) => lock.unlock()));
  }
}
