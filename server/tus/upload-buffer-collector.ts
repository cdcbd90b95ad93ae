// Upload bytes arrive in socket buffers of up to 64 KiB that are garbage as
// soon as they are written, but V8 frees a buffer only at a young collection,
// and it times those by JavaScript allocation, not by buffer bytes: with the
// service's 8 MB semi-spaces, 30-40 MB of written buffers waited for one while
// 50 uploads ran (smaller semi-spaces free them sooner but set off a full
// collection every few dozen milliseconds during a single upload). A young
// collection after every COLLECT_EVERY_BYTES received bounds that garbage; it
// costs well under a millisecond, the live young generation being small.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes of request content received between two young collections. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

type CollectGarbage = (options: { type: 'minor' }) => void;

// The gc function from a context of its own: nothing else in the process sees a global `gc`.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as CollectGarbage;

let receivedSinceCollection = 0;
let collections = 0;

/** Counts content bytes received; collects the young generation once COLLECT_EVERY_BYTES have come in. */
export function countReceivedBytes(bytes: number): void {
  receivedSinceCollection += bytes;
  if (receivedSinceCollection < COLLECT_EVERY_BYTES) return;
  receivedSinceCollection = 0;
  collections++;
  collectGarbage({ type: 'minor' });
}

/** Young collections run so far for upload content. */
export function uploadBufferCollections(): number {
  return collections;
}
