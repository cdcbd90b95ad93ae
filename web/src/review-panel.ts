// The review screen of an upload held for review (metadata review=true): what
// the service found in the file, its first rows as they would be stored, the
// dialect and the columns to change (each change re-reads the preview at
// once), the destination, and the Import button that starts the job.
import type { ApiClient } from './api-client.ts';
import { buttonOf, labelled, renderDataTable, selectOf } from './data-table.ts';
import { ColumnEditor, dialectSelect } from './review-columns.ts';
import type { ImportPreview, UploadView } from './service-types.ts';

export const PREVIEW_ROWS = 50;
const DEBOUNCE_MS = 250;

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

export interface ReviewPanelOptions {
  api: ApiClient;
  view: UploadView;
  importTargets: string[];
  /** The import started: the service's new view of the upload. */
  onStarted(view: UploadView): void;
}

/** Selects `value`, adding it as a choice when the list lacks it (e.g. a ":" delimiter from the CLI). */
function preset(select: HTMLSelectElement, value: string | null | undefined): void {
  if (!value) return;
  if (![...select.options].some((option) => option.value === value)) select.add(new Option(value, value));
  select.value = value;
}

export class ReviewPanel {
  readonly element = document.createElement('section');
  readonly #found = document.createElement('p');
  readonly #delimiter: HTMLSelectElement;
  readonly #quote: HTMLSelectElement;
  readonly #header: HTMLSelectElement;
  readonly #encoding = document.createElement('input');
  readonly #columns: ColumnEditor;
  readonly #rows = document.createElement('div');
  readonly #rejected = document.createElement('div');
  readonly #target: HTMLSelectElement;
  readonly #importButton = buttonOf('Import', 'primary');
  readonly #message = document.createElement('p');
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to older requests are dropped: only the latest settings are shown. */
  #sequence = 0;
  #loaded = false;

  constructor(private readonly options: ReviewPanelOptions) {
    const { view } = options;
    this.element.className = 'review-panel';
    this.element.setAttribute('aria-label', `Review ${view.filename} before import`);
    const heading = document.createElement('h3');
    heading.textContent = 'Review before import';
    this.#found.className = 'review-found';
    this.#found.setAttribute('role', 'status');
    this.#found.setAttribute('aria-live', 'polite');

    const dialect = document.createElement('fieldset');
    dialect.className = 'review-dialect';
    const legend = document.createElement('legend');
    legend.textContent = 'File format';
    const [delimiterLabel, delimiter] = dialectSelect('Delimiter', [
      ['', 'Detect'],
      [',', 'Comma ,'],
      [';', 'Semicolon ;'],
      ['tab', 'Tab'],
      ['|', 'Pipe |'],
    ]);
    const [quoteLabel, quote] = dialectSelect('Quotes', [
      ['', 'Detect'],
      ['"', 'Double quote "'],
      ["'", "Single quote '"],
      ['none', 'None: quotes are text'],
    ]);
    const [headerLabel, header] = dialectSelect('First row', [
      ['', 'Detect'],
      ['true', 'Column names'],
      ['false', 'Data'],
    ]);
    this.#delimiter = delimiter;
    this.#quote = quote;
    this.#header = header;
    // Options sent with the upload are where the review starts.
    const given = view.metadata;
    preset(delimiter, given.delimiter === '\t' ? 'tab' : given.delimiter);
    preset(quote, given.quote);
    preset(header, given.header?.trim().toLowerCase());
    this.#encoding.value = given.encoding ?? '';
    this.#encoding.type = 'text';
    this.#encoding.placeholder = 'Detect (e.g. windows-1252)';
    this.#encoding.spellcheck = false;
    for (const control of [delimiter, quote, header]) control.addEventListener('change', () => this.#reload(true));
    this.#encoding.addEventListener('change', () => this.#reload(true));
    dialect.append(legend, delimiterLabel, quoteLabel, headerLabel, labelled('Encoding', this.#encoding));

    this.#columns = new ColumnEditor(() => this.#reload(false));
    this.#rows.className = 'review-rows';
    this.#rejected.className = 'review-rejected';

    this.#target = selectOf(
      [['', 'A new table'], ...options.importTargets.map((target): [string, string] => [target, target])],
      '',
    );
    const actions = document.createElement('div');
    actions.className = 'review-actions';
    actions.append(labelled('Destination', this.#target), this.#importButton);
    this.#importButton.setAttribute('aria-label', `Import ${view.filename}`);
    this.#importButton.addEventListener('click', () => void this.#startImport());
    this.#message.className = 'review-message';
    this.#message.setAttribute('role', 'alert');

    this.element.append(
      heading,
      this.#found,
      dialect,
      this.#columns.element,
      this.#rows,
      this.#rejected,
      actions,
      this.#message,
    );
  }

  /** Loads the first preview the first time the panel is shown. */
  open(): void {
    if (this.#loaded) return;
    this.#loaded = true;
    void this.#fetch(true);
  }

  /** Every dialect option; '' is "detect" (the import then forgets an option sent with the upload). */
  #dialect(): Record<string, string> {
    return {
      delimiter: this.#delimiter.value,
      quote: this.#quote.value,
      header: this.#header.value,
      encoding: this.#encoding.value.trim(),
      // Not offered here (rare), but the preview must read the file as the import will.
      escape: this.options.view.metadata.escape ?? '',
    };
  }

  /** The dialect options given, as the preview's query parameters. */
  #dialectOptions(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.#dialect()).filter(([, value]) => value !== ''));
  }

  #mapping(): { columns: ReturnType<ColumnEditor['columns']>; target?: string } {
    const target = this.#target.value;
    return { columns: this.#columns.columns(), ...(target ? { target } : {}) };
  }

  /** A new dialect means new columns: the editor starts again from the service's suggestion. */
  #reload(dialectChanged: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#fetch(dialectChanged), dialectChanged ? 0 : DEBOUNCE_MS);
  }

  async #fetch(dialectChanged: boolean): Promise<void> {
    const sequence = ++this.#sequence;
    const problem = dialectChanged ? null : this.#columns.problem();
    if (problem) {
      this.#say(problem);
      this.#importButton.disabled = true;
      return;
    }
    const query = new URLSearchParams({ rows: String(PREVIEW_ROWS), ...this.#dialectOptions() });
    if (!dialectChanged) query.set('mapping', JSON.stringify({ columns: this.#columns.columns() }));
    this.element.setAttribute('aria-busy', 'true');
    try {
      const preview = await this.options.api.json<ImportPreview>(
        `/api/uploads/${this.options.view.id}/preview?${query}`,
      );
      if (sequence !== this.#sequence) return;
      if (dialectChanged) {
        this.#columns.show(preview.suggestedMapping.columns);
        // Show the rows as the suggested types store them: what Import would do.
        return this.#fetch(false);
      }
      this.#show(preview);
      this.#say('');
      this.#importButton.disabled = false;
    } catch (error) {
      if (sequence !== this.#sequence) return;
      this.#say(`The preview could not be read: ${(error as Error).message}`);
      this.#importButton.disabled = true;
    } finally {
      if (sequence === this.#sequence) this.element.removeAttribute('aria-busy');
    }
  }

  #show(preview: ImportPreview): void {
    const { encoding, dialect, header } = preview;
    const delimiter = DELIMITER_NAMES[dialect.delimiter] ?? `"${dialect.delimiter}"`;
    this.#found.textContent = [
      `Encoding ${encoding.name}${encoding.bom ? ' (with BOM)' : ''}`,
      `delimiter ${delimiter}`,
      `quotes ${dialect.quote}`,
      header.present ? `a header row of ${header.names.length} columns` : `no header, ${header.names.length} columns`,
      header.titleLinesSkipped.length > 0 ? `${header.titleLinesSkipped.length} note line(s) above it skipped` : null,
    ]
      .filter(Boolean)
      .join(' · ');
    this.element.dataset.delimiter = dialect.delimiter;
    const cells = preview.rows.map((row) => [row.line, ...row.values]);
    const note = preview.wholeFile ? '' : ' (from the first 64 KiB)';
    this.#rows.replaceChildren(
      renderDataTable(
        ['Line', ...preview.columns],
        cells,
        `First ${preview.rows.length} rows as they would be stored${note}`,
      ),
    );
    if (preview.rejected.length === 0) {
      this.#rejected.replaceChildren();
    } else {
      this.#rejected.replaceChildren(
        renderDataTable(
          ['Line', 'Column', 'Why it would be rejected', 'Raw row'],
          preview.rejected.map((row) => [row.line, row.column ?? '', row.message, row.raw]),
          `${preview.rejected.length} of the first rows would be rejected`,
        ),
      );
    }
    if (preview.problem) this.#say(preview.problem);
  }

  #say(message: string): void {
    this.#message.textContent = message;
  }

  async #startImport(): Promise<void> {
    const problem = this.#columns.problem();
    if (problem) return this.#say(problem);
    this.#importButton.disabled = true;
    this.#say('');
    try {
      const view = await this.options.api.json<UploadView>(`/api/uploads/${this.options.view.id}/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...this.#dialect(), mapping: this.#mapping() }),
      });
      this.options.onStarted(view);
    } catch (error) {
      this.#say(`The import could not start: ${(error as Error).message}`);
      this.#importButton.disabled = false;
    }
  }
}
