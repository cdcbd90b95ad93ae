// Pages through a keyset-paged list (`?limit=&after=` answered with `nextAfter`):
// forward by the last key of the page, back by the keys already seen, so every
// page costs one indexed query however deep into the import it is.
import type { ApiClient } from './api-client.ts';
import { buttonOf, labelled, selectOf } from './data-table.ts';
import { formatCount } from './format.ts';

export interface KeysetPage<T> {
  items: T[];
  nextAfter: number | null;
}

export interface KeysetPagerOptions<T> {
  api: ApiClient;
  /** Label of the list, for the page status and the buttons' accessible names. */
  label: string;
  pageSize: number;
  /** Page sizes a person may pick from (the API serves up to 1000); none: no choice. */
  pageSizes?: number[];
  /** How many items there are, when known: a full last page then has no Next. */
  total?(): number | null;
  load(api: ApiClient, after: number, limit: number): Promise<KeysetPage<T>>;
  render(items: T[], firstNumber: number): HTMLElement;
}

export class KeysetPager<T> {
  readonly element = document.createElement('div');
  readonly #content = document.createElement('div');
  readonly #status = document.createElement('p');
  readonly #previous = buttonOf('Previous page');
  readonly #next = buttonOf('Next page');
  /** The `after` key of every page shown so far; the last is the current page's. */
  readonly #starts: number[] = [0];
  /** Items on each page shown so far, to number the rows of the current one. */
  readonly #sizes: number[] = [];
  #nextAfter: number | null = null;
  #loading = false;
  #pageSize: number;

  constructor(private readonly options: KeysetPagerOptions<T>) {
    this.#pageSize = options.pageSize;
    this.element.className = 'pager';
    this.#status.className = 'pager-status';
    this.#status.setAttribute('role', 'status');
    this.#status.setAttribute('aria-live', 'polite');
    this.#previous.setAttribute('aria-label', `Previous page of ${options.label}`);
    this.#next.setAttribute('aria-label', `Next page of ${options.label}`);
    this.#previous.dataset.page = 'previous';
    this.#next.dataset.page = 'next';
    this.#previous.addEventListener('click', () => {
      if (this.#starts.length > 1) this.#starts.pop();
      void this.#load();
    });
    this.#next.addEventListener('click', () => {
      if (this.#nextAfter === null) return;
      this.#starts.push(this.#nextAfter);
      void this.#load();
    });
    const controls = document.createElement('div');
    controls.className = 'pager-controls';
    controls.append(this.#previous, this.#status, this.#next);
    if (options.pageSizes) {
      const sizes = selectOf(
        options.pageSizes.map((size): [string, string] => [String(size), String(size)]),
        String(options.pageSize),
      );
      sizes.addEventListener('change', () => {
        this.#pageSize = Number(sizes.value);
        void this.reload();
      });
      controls.append(labelled(`${capitalised(options.label)} per page`, sizes, 'field pager-size'));
    }
    this.element.append(this.#content, controls);
  }

  #shownBefore(pageIndex: number): number {
    return this.#sizes.slice(0, pageIndex).reduce((sum, size) => sum + size, 0);
  }

  /** Shows the first page again (on opening, or after the import moved on). */
  reload(): Promise<void> {
    this.#starts.splice(1);
    this.#sizes.length = 0;
    return this.#load();
  }

  async #load(): Promise<void> {
    if (this.#loading) return;
    this.#loading = true;
    this.#previous.disabled = true;
    this.#next.disabled = true;
    this.#status.textContent = 'Loading…';
    const after = this.#starts.at(-1) ?? 0;
    const pageIndex = this.#starts.length - 1;
    try {
      const page = await this.options.load(this.options.api, after, this.#pageSize);
      if (page.items.length === 0 && pageIndex > 0) {
        // A full page answers a nextAfter although nothing follows: stay on the last page.
        this.#starts.pop();
        this.#nextAfter = null;
        this.#status.textContent = `That was the last page of ${this.options.label}.`;
        return;
      }
      this.#nextAfter = page.nextAfter;
      // Counted from the rows shown, since the page size may have changed on the way.
      const first = this.#shownBefore(pageIndex) + 1;
      this.#sizes[pageIndex] = page.items.length;
      if (page.items.length === 0) {
        const empty = document.createElement('p');
        empty.textContent = `No ${this.options.label} yet.`;
        this.#content.replaceChildren(empty);
        this.#status.textContent = '';
      } else {
        this.#content.replaceChildren(this.options.render(page.items, first));
        const last = first + page.items.length - 1;
        const total = this.options.total?.() ?? null;
        if (total !== null && last >= total) this.#nextAfter = null;
        this.#status.textContent = `${this.options.label} ${formatCount(first)}–${formatCount(last)}, page ${pageIndex + 1}`;
      }
      this.element.dataset.page = String(pageIndex + 1);
    } catch (error) {
      this.#status.textContent = `The ${this.options.label} could not be loaded: ${(error as Error).message}`;
    } finally {
      this.#loading = false;
      this.#previous.disabled = this.#starts.length <= 1;
      this.#next.disabled = this.#nextAfter === null;
    }
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
