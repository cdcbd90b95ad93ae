// Reads an object-mode stream a buffered group at a time: one await per parsed
// chunk instead of one per record, which is what made per-row streaming slow.
import type { Readable } from 'node:stream';

export async function* readRecordGroups<T>(stream: Readable): AsyncGenerator<T[]> {
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: unknown;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= error;
    notify();
  };
  // Destroyed without an error and without ending: nothing more will come.
  const onClose = () => {
    if (!ended) failure ??= new Error('The CSV stream closed before its end');
    notify();
  };
  stream.on('readable', notify).on('end', onEnd).on('error', onError).on('close', onClose);
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const group: T[] = [];
      for (let item = stream.read(); item !== null; item = stream.read()) group.push(item as T);
      if (group.length > 0) {
        yield group;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('readable', notify).off('end', onEnd).off('error', onError).off('close', onClose);
  }
}
