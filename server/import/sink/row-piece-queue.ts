// The rows of the batch being read, on their way to the database: the import
// loop pushes pieces of COPY text, the sink pulls them. Pieces pushed but not
// yet pulled are counted, so the loop can wait when the database falls behind.

export class RowPieceQueue implements AsyncIterable<Uint8Array> {
  #pieces: Uint8Array[] = [];
  #ended = false;
  #failure: { error: unknown } | null = null;
  #wake: (() => void) | null = null;

  constructor(
    /** Called with +1 for each piece pushed and -1 for each piece pulled or dropped. */
    private readonly count: (change: number) => void,
  ) {}

  push(piece: Uint8Array): void {
    // A batch whose sink gave up early has nobody left to read it.
    if (this.#failure) return;
    if (this.#ended) throw new Error('RowPieceQueue: push after end');
    this.#pieces.push(piece);
    this.count(1);
    this.#wakeReader();
  }

  /** No more pieces: the reader's iteration ends once it has taken the last one. */
  end(): void {
    this.#ended = true;
    this.#wakeReader();
  }

  /** The batch was given up (or its sink is done with it): a reader still iterating gets `error`; pieces not taken are dropped. */
  fail(error: unknown): void {
    this.count(-this.#pieces.length);
    this.#pieces = [];
    this.#ended = true;
    this.#failure = { error };
    this.#wakeReader();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const piece = this.#pieces.shift();
      if (piece !== undefined) {
        this.count(-1);
        yield piece;
        continue;
      }
      if (this.#failure) throw this.#failure.error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
