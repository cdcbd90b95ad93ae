// The import panel: every upload of this owner (GET /api/uploads), kept live
// by event streams (GET /api/uploads/:id/events) for the ones still changing.
import type { ApiClient } from './api-client.ts';
import { type EventStream, openEventStream } from './event-stream.ts';
import { type EntryAction, ImportEntry, isFinal } from './import-entry.ts';
import type { UploadView } from './service-types.ts';
import type { TokenGate } from './token-gate.ts';

export interface ImportPanelElements {
  list: HTMLOListElement;
  status: HTMLElement;
  refreshButton: HTMLButtonElement;
}

/** Browsers open six connections per host over HTTP/1.1; tus uploads need theirs. */
const MAX_STREAMS = 2;
const REOPEN_DELAY_MS = 2000;
/** Entries that change but have no stream are refreshed with the list this often. */
const POLL_INTERVAL_MS = 4000;

export class ImportPanel {
  readonly #entries = new Map<string, ImportEntry>();
  readonly #streams = new Map<string, EventStream>();
  /** Uploads this page is sending right now: their entries get a stream first. */
  readonly #sending = new Set<string>();
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly tokens: TokenGate,
    private readonly elements: ImportPanelElements,
    /** Existing tables an import may load into (GET /api/config's importTargets). */
    private readonly importTargets: string[] = [],
  ) {
    elements.refreshButton.addEventListener('click', () => void this.refresh());
    tokens.onChange(() => {
      for (const stream of this.#streams.values()) stream.close();
      this.#streams.clear();
      void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    clearTimeout(this.#pollTimer);
    try {
      const { uploads } = await this.api.json<{ uploads: UploadView[] }>('/api/uploads?limit=50');
      const seen = new Set(uploads.map((upload) => upload.id));
      for (const id of this.#entries.keys()) if (!seen.has(id)) this.#remove(id);
      for (const view of uploads) this.#upsert(view);
      // Newest first, as the service lists them.
      this.elements.list.append(...uploads.map((view) => this.#entries.get(view.id)?.element as HTMLElement));
      this.elements.status.textContent = uploads.length === 0 ? 'No uploads yet.' : '';
    } catch (error) {
      this.elements.status.textContent = `The imports could not be loaded: ${(error as Error).message}`;
    }
    this.#schedule();
  }

  /** A refresh shortly, however many uploads start at once. */
  refreshSoon(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.refresh(), 250);
  }

  uploadStarted(id: string): void {
    this.#sending.add(id);
    this.refreshSoon();
  }

  uploadFinished(id: string): void {
    this.#sending.delete(id);
    if (this.#entries.has(id)) this.#schedule();
    else this.refreshSoon();
  }

  #upsert(view: UploadView): void {
    const entry = this.#entries.get(view.id);
    if (entry) entry.update(view);
    else
      this.#entries.set(
        view.id,
        new ImportEntry(
          {
            api: this.api,
            importTargets: this.importTargets,
            onAction: (e, action) => void this.#act(e, action),
            onImportStarted: () => this.#schedule(),
          },
          view,
        ),
      );
  }

  #remove(id: string): void {
    this.#streams.get(id)?.close();
    this.#streams.delete(id);
    this.#entries.get(id)?.element.remove();
    this.#entries.delete(id);
  }

  /** Opens streams for the entries still changing, most interesting first; polls for the rest. */
  #schedule(): void {
    const waiting = [...this.#entries.values()]
      .filter((entry) => !isFinal(entry.view) && !this.#streams.has(entry.view.id))
      .sort((a, b) => this.#priority(b.view) - this.#priority(a.view));
    while (this.#streams.size < MAX_STREAMS && waiting.length > 0) {
      this.#open((waiting.shift() as ImportEntry).view.id);
    }
    clearTimeout(this.#pollTimer);
    if (waiting.length > 0) this.#pollTimer = setTimeout(() => void this.refresh(), POLL_INTERVAL_MS);
  }

  #priority(view: UploadView): number {
    if (view.job) return 2; // importing: what people wait for
    return this.#sending.has(view.id) ? 1 : 0;
  }

  #open(id: string): void {
    const stream = openEventStream(`/api/uploads/${id}/events`, this.tokens.token, {
      onEvent: (type, data) => {
        if (type === 'deleted') this.#remove(id);
        else if (type === 'message') {
          const view = JSON.parse(data) as UploadView;
          this.#entries.get(id)?.update(view);
          // Held for review: nothing changes until someone presses Import; free the connection.
          if (view.awaitingReview) this.#closeStream(id);
        }
      },
      onClose: ({ status }) => {
        if (this.#streams.get(id) !== stream) return;
        this.#streams.delete(id);
        if (status === 401) this.api.refused();
        if (status === 404) this.#remove(id);
        const entry = this.#entries.get(id);
        // A dropped connection (or a restarting server) is not the end of the import.
        if (entry && !isFinal(entry.view) && status === undefined) setTimeout(() => this.#schedule(), REOPEN_DELAY_MS);
        else this.#schedule();
      },
    });
    this.#streams.set(id, stream);
  }

  #closeStream(id: string): void {
    const stream = this.#streams.get(id);
    if (!stream) return;
    this.#streams.delete(id);
    stream.close();
    this.#schedule();
  }

  async #act(entry: ImportEntry, action: EntryAction): Promise<void> {
    const { id, filename } = entry.view;
    if (action === 'delete' && !confirm(`Delete ${filename}, its import and its rows?`)) return;
    entry.say('');
    try {
      const path = action === 'delete' ? `/api/uploads/${id}` : `/api/uploads/${id}/${action}`;
      await this.api.request(path, { method: action === 'delete' ? 'DELETE' : 'POST' });
      if (action === 'delete') {
        this.#remove(id);
        return;
      }
      this.#upsert(await this.api.json<UploadView>(`/api/uploads/${id}`));
      this.#schedule();
    } catch (error) {
      entry.say(`Could not ${action} ${filename}: ${(error as Error).message}`);
    }
  }
}
