// What the uploader tells its progress display, and the state every display
// shares: one meter per active file and one for the whole run.
import { formatBytes, formatDuration, formatRate } from './format-units.ts';
import { TransferMeter } from './transfer-meter.ts';

export interface ProgressDisplay {
  /** A file starts sending; `startBytes` were already on the server. */
  begin(key: string, name: string, size: number, startBytes: number): void;
  progress(key: string, bytes: number): void;
  /** The bytes are in; the server is importing (detail: rows so far). */
  importing(key: string, detail: string): void;
  end(key: string): void;
  /** A one-off message (resumed, restarted, retrying…). */
  note(text: string): void;
  stop(): void;
}

export interface TransferState {
  name: string;
  meter: TransferMeter;
  /** Set once the bytes are in and the import runs. */
  importDetail: string | null;
}

export class ProgressBoard {
  readonly transfers = new Map<string, TransferState>();
  readonly total: TransferMeter;

  constructor(totalBytes: number) {
    this.total = new TransferMeter(totalBytes);
  }

  begin(key: string, name: string, size: number, startBytes: number): TransferState {
    const state = { name, meter: new TransferMeter(size, startBytes), importDetail: null };
    this.transfers.set(key, state);
    this.total.addUntimed(startBytes);
    return state;
  }

  progress(key: string, bytes: number): TransferState | undefined {
    const state = this.transfers.get(key);
    if (!state) return undefined;
    const delta = bytes - state.meter.bytes;
    state.meter.update(bytes);
    this.total.update(this.total.bytes + delta);
    return state;
  }
}

/** `name  45%  27.0 MiB/60.0 MiB  12.3 MiB/s  ETA 3s` */
export function describeTransfer(name: string, meter: TransferMeter): string {
  return [
    name,
    `${String(meter.percentage()).padStart(3)}%`,
    `${formatBytes(meter.bytes)}/${formatBytes(meter.total)}`,
    formatRate(meter.rate()),
    `ETA ${formatDuration(meter.etaSeconds())}`,
  ].join('  ');
}

/** For --quiet: nothing at all. */
export const silentDisplay: ProgressDisplay = {
  begin() {},
  progress() {},
  importing() {},
  end() {},
  note() {},
  stop() {},
};
