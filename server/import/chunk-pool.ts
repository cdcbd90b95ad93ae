// Reusable byte chunks for a batch's encoded rows. Rows encoded as strings and
// joined into large pieces lived in V8's large-object space until a full
// garbage collection, so a worker's memory grew by ~100 MB during an import;
// bytes written into a few pooled chunks, handed back once their batch is
// committed, keep it flat whatever the file's size.

export const CHUNK_BYTES = 1024 * 1024;

export class ChunkPool {
  #free: Buffer[] = [];

  constructor(
    readonly chunkBytes = CHUNK_BYTES,
    /** Chunks kept for reuse; more are left to the garbage collector. */
    private readonly keep = 24,
  ) {}

  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes);
  }

  /** Returns chunks whose bytes are no longer read by anyone. */
  give(chunks: readonly Buffer[]): void {
    for (const chunk of chunks) if (this.#free.length < this.keep) this.#free.push(chunk);
  }
}
