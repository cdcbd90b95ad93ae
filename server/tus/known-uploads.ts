// What a tus request needs to know about its upload before a byte moves, kept
// in memory per process: the owner and the protocol headers recorded at
// creation. Both are fixed when the upload is created and ids are never
// reused, so an entry can be missing but never wrong; an upload deleted since
// is caught by the store (its info is gone), which answers 404 as for any
// unknown id. Chunked uploads thus pay the database and the info read once.
import type { UploadProtocolInfo } from './upload-store.ts';

export interface UploadFacts {
  owner: string;
  info: UploadProtocolInfo;
}

export class KnownUploads {
  readonly #entries = new Map<string, UploadFacts>();
  readonly #capacity: number;

  /** @param capacity entries kept; the least recently used goes first (default 10 000, about 2 MB). */
  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  get(id: string): UploadFacts | undefined {
    const facts = this.#entries.get(id);
    if (facts) {
      // Re-inserted: Map iteration order is insertion order, so the first key is the least recently used.
      this.#entries.delete(id);
      this.#entries.set(id, facts);
    }
    return facts;
  }

  remember(id: string, facts: UploadFacts): void {
    this.#entries.delete(id);
    this.#entries.set(id, facts);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}

/**
 * The facts of an upload `owner` owns, from memory or else one query and the
 * info read; null when the id is unknown or another owner's (the same answer).
 * `info` is undefined when the row exists but the store holds nothing (yet, or any more).
 */
export async function ownedUploadFacts(
  known: KnownUploads,
  lookUp: { owner(id: string): Promise<string | undefined>; info(id: string): Promise<UploadProtocolInfo | undefined> },
  owner: string,
  id: string,
): Promise<{ owner: string; info?: UploadProtocolInfo } | null> {
  const cached = known.get(id);
  if (cached) return cached.owner === owner ? cached : null;
  if ((await lookUp.owner(id)) !== owner) return null;
  const info = await lookUp.info(id);
  if (info) known.remember(id, { owner, info });
  return { owner, info };
}
