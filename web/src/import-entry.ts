// One upload in the import panel: its state, a progress bar with bytes, rows,
// rate and time left beside a chart of them, the review screen of an upload
// held for review, the result, its rows and rejected rows, and the job's buttons.
import type { ApiClient } from './api-client.ts';
import { formatBytes, formatCount, formatDate, formatDuration } from './format.ts';
import { ProgressChart } from './progress-chart.ts';
import { ReviewPanel } from './review-panel.ts';
import { createRowsView, type RowsView } from './rows-view.ts';
import type { UploadView } from './service-types.ts';

export type EntryAction = 'retry' | 'cancel' | 'delete';

const FINAL_JOB_STATES = new Set(['succeeded', 'failed', 'cancelled']);

/** Nothing will change without someone acting (an upload held for review waits for its Import): no stream needed. */
export function isFinal(view: UploadView): boolean {
  return view.state === 'expired' || view.awaitingReview || FINAL_JOB_STATES.has(view.job?.state ?? '');
}

/** The state a person cares about: the import's once there is one. */
function stateOf(view: UploadView): string {
  if (view.awaitingReview) return 'awaiting review';
  return view.job?.state ?? view.state;
}

export interface EntryContext {
  api: ApiClient;
  importTargets: string[];
  onAction(entry: ImportEntry, action: EntryAction): void;
  /** A reviewed import started: the panel follows it from here. */
  onImportStarted(view: UploadView): void;
}

function figures(view: UploadView): { done: number; total: number; text: string } {
  const job = view.job;
  if (!job) {
    const total = view.size ?? 0;
    return { done: view.offset, total, text: `${formatBytes(view.offset)} of ${formatBytes(total)} uploaded` };
  }
  const { bytesDone, bytesTotal, rowsDone, rate, etaSeconds } = job.progress;
  const parts = [`${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)} read`, `${formatCount(rowsDone)} rows`];
  if (job.state === 'running' && rate > 0) parts.push(`${formatBytes(rate)}/s`);
  if (job.state === 'running' && etaSeconds !== null) parts.push(`${formatDuration(etaSeconds)} left`);
  return { done: bytesDone, total: bytesTotal, text: parts.join(' · ') };
}

function button(label: string, action: EntryAction, filename: string): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = label;
  element.dataset.action = action;
  element.setAttribute('aria-label', `${label} ${filename}`);
  return element;
}

export class ImportEntry {
  readonly element = document.createElement('li');
  #view: UploadView;
  readonly #state = document.createElement('span');
  readonly #progress = document.createElement('progress');
  readonly #figures = document.createElement('p');
  readonly #result = document.createElement('p');
  readonly #warnings = document.createElement('ul');
  readonly #report = document.createElement('p');
  readonly #rows: RowsView;
  readonly #chart: ProgressChart;
  readonly #review: ReviewPanel;
  readonly #buttons: Record<EntryAction, HTMLButtonElement>;
  readonly #message = document.createElement('p');
  private readonly api: ApiClient;

  constructor(context: EntryContext, view: UploadView) {
    this.api = context.api;
    this.#view = view;
    this.element.className = 'import';
    this.element.dataset.uploadId = view.id;
    const head = document.createElement('div');
    head.className = 'import-head';
    const name = document.createElement('span');
    name.className = 'import-name';
    name.textContent = view.filename;
    this.#state.className = 'import-state';
    const meta = document.createElement('p');
    meta.className = 'import-meta';
    meta.textContent = `${view.size === null ? 'size unknown' : formatBytes(view.size)} · ${formatDate(view.createdAt)}`;
    head.append(name, this.#state);
    this.#progress.setAttribute('aria-label', `Progress of ${view.filename}`);
    this.#figures.className = 'import-figures';
    this.#result.className = 'import-result';
    this.#warnings.className = 'import-warnings';
    this.#warnings.setAttribute('aria-label', `Warnings about the import of ${view.filename}`);
    this.#report.className = 'import-report';
    this.#message.className = 'import-message';
    this.#message.setAttribute('role', 'status');
    this.#rows = createRowsView(context.api, view.id, view.filename, () => void this.#downloadReport());
    this.#chart = new ProgressChart(view.filename);
    this.#review = new ReviewPanel({
      api: context.api,
      view,
      importTargets: context.importTargets,
      onStarted: (started) => {
        this.update(started);
        context.onImportStarted(started);
      },
    });
    const progress = document.createElement('div');
    progress.className = 'import-progress';
    const bars = document.createElement('div');
    bars.append(this.#progress, this.#figures);
    progress.append(bars, this.#chart.element);
    this.#buttons = {
      retry: button('Retry', 'retry', view.filename),
      cancel: button('Cancel', 'cancel', view.filename),
      delete: button('Delete', 'delete', view.filename),
    };
    const actions = document.createElement('div');
    actions.className = 'import-actions';
    for (const [action, element] of Object.entries(this.#buttons)) {
      element.addEventListener('click', () => context.onAction(this, action as EntryAction));
      actions.append(element);
    }
    this.element.append(
      head,
      meta,
      progress,
      this.#review.element,
      this.#result,
      this.#warnings,
      this.#report,
      this.#rows.element,
      actions,
      this.#message,
    );
    this.update(view);
  }

  get view(): UploadView {
    return this.#view;
  }

  say(message: string): void {
    this.#message.textContent = message;
  }

  update(view: UploadView): void {
    this.#view = view;
    const job = view.job;
    const state = stateOf(view);
    this.element.dataset.state = state.replaceAll(' ', '-');
    this.#state.textContent = state;
    this.#state.dataset.state = state;

    const { done, total, text } = figures(view);
    this.#progress.max = Math.max(total, 1);
    this.#progress.value = job?.state === 'succeeded' ? this.#progress.max : Math.min(done, this.#progress.max);
    this.#figures.textContent = text;
    this.#chart.record(view);
    this.#review.element.hidden = !view.awaitingReview;
    if (view.awaitingReview) this.#review.open();

    const result = job?.result;
    const rows = result?.rows ?? job?.progress.rowsDone ?? 0;
    const rejected = result?.rowsRejected ?? job?.progress.rowsRejected ?? 0;
    this.element.dataset.rows = String(rows);
    this.element.dataset.rowsRejected = String(rejected);
    if (job?.state === 'succeeded') {
      const took = result?.durationMs !== undefined ? ` in ${formatDuration(result.durationMs / 1000)}` : '';
      const into = result?.destination?.qualifiedName ? ` into ${result.destination.qualifiedName}` : '';
      this.#result.textContent = `Imported ${formatCount(rows)} rows${into}, ${formatCount(rejected)} rejected${took}.`;
    } else if (job?.lastError) {
      const attempt = `attempt ${job.attempts} of ${job.maxAttempts}`;
      this.#result.textContent = `${job.state === 'failed' ? 'Failed' : 'Last error'} (${attempt}): ${job.lastError}`;
    } else if (view.state === 'expired') {
      this.#result.textContent = 'The upload was not finished in time and has expired.';
    } else {
      this.#result.textContent = '';
    }
    this.#renderWarnings(job?.state === 'succeeded' ? (result?.warnings ?? []) : []);
    this.#renderReport(rejected);
    this.#rows.update(rows, rejected, job?.state === 'succeeded');

    const jobState = job?.state;
    this.#buttons.retry.hidden = jobState !== 'failed' && jobState !== 'cancelled';
    this.#buttons.cancel.hidden = jobState !== 'queued' && jobState !== 'running';
  }

  /** What looks wrong although the import ran to the end (most rows rejected, one column, unsure encoding…). */
  #renderWarnings(warnings: { code: string; message: string }[]): void {
    this.#warnings.hidden = warnings.length === 0;
    this.#warnings.replaceChildren(
      ...warnings.map((warning) => {
        const item = document.createElement('li');
        item.dataset.code = warning.code;
        item.textContent = `⚠ ${warning.message}`;
        return item;
      }),
    );
  }

  #renderReport(rejected: number): void {
    if (rejected === 0) {
      this.#report.replaceChildren();
      return;
    }
    const link = document.createElement('a');
    link.href = `/api/uploads/${this.#view.id}/errors`;
    link.textContent = `Error report (${formatCount(rejected)} rejected rows, CSV)`;
    // The report needs the bearer token, which a plain link cannot send.
    link.addEventListener('click', (event) => {
      event.preventDefault();
      void this.#downloadReport();
    });
    this.#report.replaceChildren(link);
  }

  async #downloadReport(): Promise<void> {
    try {
      const blob = await (await this.api.request(`/api/uploads/${this.#view.id}/errors`)).blob();
      const objectUrl = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = objectUrl;
      anchor.download = `${this.#view.filename.replace(/\.[^.]+$/, '')}-errors.csv`;
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
    } catch (error) {
      this.say(`The error report could not be downloaded: ${(error as Error).message}`);
    }
  }
}
