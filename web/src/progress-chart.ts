// A small chart of one upload over time, drawn by uPlot: the upload's speed
// (bytes per second, from the stored offset) and the import's rate (rows per
// second, from the job's progress), sampled from the updates the page receives.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatBytes, formatCount } from './format.ts';
import type { UploadView } from './service-types.ts';

/** Updates closer together than this make rates of noise. */
const MIN_SAMPLE_GAP_S = 0.25;
const HEIGHT = 150;

interface Sample {
  at: number;
  bytes: number;
  rows: number;
}

export class ProgressChart {
  readonly element = document.createElement('figure');
  readonly #plotBox = document.createElement('div');
  readonly #caption = document.createElement('figcaption');
  #last: Sample | null = null;
  readonly #times: number[] = [];
  readonly #uploadSpeeds: (number | null)[] = [];
  readonly #importRates: (number | null)[] = [];
  #plot: uPlot | null = null;
  #started = 0;
  #resize: ResizeObserver | null = null;

  constructor(filename: string) {
    this.element.className = 'progress-chart';
    this.element.hidden = true;
    // The canvas says nothing to a screen reader: the caption carries the latest figures.
    this.#plotBox.setAttribute('role', 'img');
    this.#plotBox.setAttribute('aria-label', `Chart of upload speed and import rate of ${filename}`);
    this.element.append(this.#plotBox, this.#caption);
  }

  /** Number of rates drawn so far. */
  get points(): number {
    return this.#times.length;
  }

  record(view: UploadView, now = performance.now() / 1000): void {
    const sample: Sample = { at: now, bytes: view.offset, rows: view.job?.progress.rowsDone ?? 0 };
    const last = this.#last;
    if (!last) {
      this.#last = sample;
      this.#started = now;
      return;
    }
    const seconds = sample.at - last.at;
    if (seconds < MIN_SAMPLE_GAP_S) return;
    const uploading = view.state === 'uploading' || sample.bytes > last.bytes;
    const importing = view.job !== null && (view.job.state === 'running' || sample.rows > last.rows);
    if (!uploading && !importing) {
      this.#last = sample;
      return;
    }
    this.#times.push(sample.at - this.#started);
    this.#uploadSpeeds.push(uploading ? Math.max(0, sample.bytes - last.bytes) / seconds : null);
    this.#importRates.push(importing ? Math.max(0, sample.rows - last.rows) / seconds : null);
    this.#last = sample;
    this.#draw();
  }

  #draw(): void {
    this.element.dataset.points = String(this.points);
    // One rate is a dot, not a trend: the figures beside the bar say it better.
    if (this.points < 2) return;
    this.element.hidden = false;
    const data: uPlot.AlignedData = [this.#times, this.#uploadSpeeds, this.#importRates];
    const speed = this.#uploadSpeeds.at(-1);
    const rate = this.#importRates.at(-1);
    this.#caption.textContent = [
      speed !== null && speed !== undefined ? `Upload ${formatBytes(speed)}/s` : null,
      rate !== null && rate !== undefined ? `Import ${formatCount(Math.round(rate))} rows/s` : null,
    ]
      .filter(Boolean)
      .join(' · ');
    if (this.#plot) {
      this.#plot.setData(data);
      return;
    }
    if (!this.element.isConnected) return;
    this.#plot = new uPlot(this.#options(this.#width()), data, this.#plotBox);
    this.#resize = new ResizeObserver(() => this.#plot?.setSize({ width: this.#width(), height: HEIGHT }));
    this.#resize.observe(this.element);
  }

  #width(): number {
    return Math.max(200, Math.floor(this.element.clientWidth || 300));
  }

  #options(width: number): uPlot.Options {
    return {
      title: undefined,
      width,
      height: HEIGHT,
      scales: { x: { time: false }, bytes: { range: (_u, _min, max) => [0, Math.max(1, max)] }, rows: {} },
      axes: [
        { label: 'seconds', size: 36 },
        { scale: 'bytes', values: (_u, ticks) => ticks.map((tick) => `${formatBytes(tick)}/s`), size: 84 },
        {
          scale: 'rows',
          side: 1,
          grid: { show: false },
          values: (_u, ticks) => ticks.map((tick) => `${formatCount(tick)}/s`),
          size: 84,
        },
      ],
      series: [
        {},
        {
          label: 'Upload speed',
          points: { show: true },
          scale: 'bytes',
          stroke: '#0969da',
          width: 2,
          value: (_u, v) => (v === null ? '–' : `${formatBytes(v)}/s`),
        },
        {
          label: 'Import rate (rows)',
          points: { show: true },
          scale: 'rows',
          stroke: '#1a7f37',
          width: 2,
          value: (_u, v) => (v === null ? '–' : `${formatCount(Math.round(v))} rows/s`),
        },
      ],
      // Labels only: with the cursor off there is no value to show beside them.
      legend: { show: true, live: false },
      cursor: { show: false },
    };
  }

  destroy(): void {
    this.#resize?.disconnect();
    this.#plot?.destroy();
  }
}
