// Progress on a terminal: a cli-progress multibar with one bar per active file
// and a total, each showing percentage, bytes, speed and ETA.
import cliProgress from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from './format-units.ts';
import { ProgressBoard, type ProgressDisplay } from './progress-display.ts';
import type { TransferMeter } from './transfer-meter.ts';

const NAME_WIDTH = 24;

function label(name: string): string {
  return name.length > NAME_WIDTH ? `…${name.slice(-(NAME_WIDTH - 1))}` : name.padEnd(NAME_WIDTH);
}

function payload(name: string, meter: TransferMeter, importDetail: string | null = null) {
  const detail =
    importDetail === null
      ? `${formatBytes(meter.bytes)}/${formatBytes(meter.total)}  ${formatRate(meter.rate())}  ETA ${formatDuration(meter.etaSeconds())}`
      : `importing  ${importDetail}`;
  return { name: label(name), detail };
}

export function createBarDisplay(stream: NodeJS.WritableStream, totalBytes: number): ProgressDisplay {
  const board = new ProgressBoard(totalBytes);
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: '{name} {bar} {percentage}%  {detail}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const totalBar = multibar.create(totalBytes, 0, payload('total', board.total));
  const bars = new Map<string, cliProgress.SingleBar>();

  // Speed and ETA move even while no byte arrives (a stall, a retry).
  const refresh = setInterval(() => {
    for (const [key, bar] of bars) {
      const state = board.transfers.get(key);
      if (state) bar.update(state.meter.bytes, payload(state.name, state.meter, state.importDetail));
    }
    totalBar.update(board.total.bytes, payload('total', board.total));
  }, 1000);
  refresh.unref();

  return {
    begin(key, name, size, startBytes) {
      const state = board.begin(key, name, size, startBytes);
      bars.set(key, multibar.create(size, startBytes, payload(name, state.meter)));
    },
    progress(key, bytes) {
      const state = board.progress(key, bytes);
      if (state) bars.get(key)?.update(bytes, payload(state.name, state.meter));
      totalBar.update(board.total.bytes, payload('total', board.total));
    },
    importing(key, detail) {
      const state = board.transfers.get(key);
      if (!state) return;
      state.importDetail = detail;
      bars.get(key)?.update(state.meter.bytes, payload(state.name, state.meter, detail));
    },
    end(key) {
      const bar = bars.get(key);
      if (bar) multibar.remove(bar);
      bars.delete(key);
      board.transfers.delete(key);
    },
    note: (text) => multibar.log(`${text}\n`),
    stop() {
      clearInterval(refresh);
      multibar.stop();
    },
  };
}
