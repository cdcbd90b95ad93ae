// Speed and ETA of one transfer, measured over a sliding window so a stall or
// a retry shows at once instead of being averaged away over the whole run.
const WINDOW_MS = 5000;

export class TransferMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  bytes = 0;

  constructor(
    readonly total: number,
    /** Bytes already on the server when this run started (a resumed upload). */
    readonly startBytes = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.bytes = startBytes;
    this.samples.push({ at: now(), bytes: startBytes });
  }

  update(bytes: number): void {
    this.bytes = bytes;
    const at = this.now();
    this.samples.push({ at, bytes });
    // Keep one sample older than the window, so the window is always spanned.
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - WINDOW_MS) this.samples.shift();
  }

  /** Counts bytes that took no time in this run (a resumed file joining a total). */
  addUntimed(bytes: number): void {
    this.bytes += bytes;
    for (const sample of this.samples) sample.bytes += bytes;
  }

  /** Bytes per second over the last few seconds. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at === first.at) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }

  /** Seconds left at the current rate; null while the rate is unknown. */
  etaSeconds(): number | null {
    const rate = this.rate();
    if (this.bytes >= this.total) return 0;
    return rate > 0 ? (this.total - this.bytes) / rate : null;
  }

  percentage(): number {
    return this.total > 0 ? Math.floor((this.bytes / this.total) * 100) : 100;
  }
}
