// Progress for logs and pipes (stderr is not a terminal): no cursor tricks,
// a plain line per active file plus a total every few seconds, notes at once.
import { describeTransfer, ProgressBoard, type ProgressDisplay } from './progress-display.ts';

export function createLineDisplay(
  write: (text: string) => void,
  totalBytes: number,
  intervalMs = 3000,
): ProgressDisplay {
  const board = new ProgressBoard(totalBytes);
  const timer = setInterval(() => {
    let sending = 0;
    for (const { name, meter, importDetail } of board.transfers.values()) {
      if (importDetail === null) sending++;
      write(`${importDetail === null ? describeTransfer(name, meter) : `${name}  importing  ${importDetail}`}\n`);
    }
    // The total only says something new while bytes are moving.
    if (sending > 0) write(`${describeTransfer('total', board.total)}\n`);
  }, intervalMs);
  timer.unref();
  return {
    begin: (key, name, size, startBytes) => void board.begin(key, name, size, startBytes),
    progress: (key, bytes) => void board.progress(key, bytes),
    importing(key, detail) {
      const state = board.transfers.get(key);
      if (state) state.importDetail = detail;
    },
    end: (key) => void board.transfers.delete(key),
    note: (text) => write(`${text}\n`),
    stop: () => clearInterval(timer),
  };
}
