// Buffers for pieces of COPY text, reused once the database connection has
// sent them. A fresh 256 KiB buffer per piece made V8 count ~50 MB/s of new
// external memory and run a full garbage collection ten times a second.

/** Bytes per piece of COPY text handed to the database: small enough to keep a worker's memory low, large enough that per-piece costs vanish. */
export const COPY_PIECE_BYTES = 256 * 1024;

export class PiecePool {
  #free: Buffer[] = [];

  constructor(
    readonly pieceBytes = COPY_PIECE_BYTES,
    /** Buffers kept for reuse; more are left to the garbage collector. */
    private readonly keep = 8,
  ) {}

  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.pieceBytes);
  }

  /**
   * Hands back a piece whose bytes nobody reads any more (sent, or copied).
   * Only the pool's own buffers are kept: a piece of another size (a line too
   * long for a piece) is left to the garbage collector.
   */
  give(piece: Uint8Array): void {
    if (piece.buffer.byteLength !== this.pieceBytes || this.#free.length >= this.keep) return;
    this.#free.push(Buffer.from(piece.buffer, 0, this.pieceBytes));
  }
}
