// The first imported rows of an upload as a table, so a person can check that
// columns and values came through as intended.
import type { ApiClient } from './api-client.ts';
import type { RowsPage } from './service-types.ts';

const PREVIEW_ROWS = 10;

function cell(tag: 'th' | 'td', text: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = text;
  if (tag === 'th') element.setAttribute('scope', 'col');
  return element;
}

export function renderRowsTable(page: RowsPage, caption: string): HTMLElement {
  if (page.rows.length === 0) {
    const empty = document.createElement('p');
    empty.textContent = 'No rows imported yet.';
    return empty;
  }
  const columns = Object.keys(page.rows[0]?.data ?? {});
  const table = document.createElement('table');
  const captionElement = table.createCaption();
  captionElement.textContent = caption;
  const headRow = table.createTHead().insertRow();
  headRow.append(cell('th', '#'), ...columns.map((column) => cell('th', column)));
  const body = table.createTBody();
  for (const row of page.rows) {
    const tr = body.insertRow();
    tr.append(cell('td', String(row.recordNumber)), ...columns.map((column) => cell('td', row.data[column] ?? '')));
  }
  const wrapper = document.createElement('div');
  wrapper.className = 'table-wrap';
  // Wide tables scroll inside their box; keyboard users reach it with Tab.
  wrapper.tabIndex = 0;
  wrapper.setAttribute('role', 'region');
  wrapper.setAttribute('aria-label', caption);
  wrapper.append(table);
  return wrapper;
}

/** A collapsed "First rows" section that loads the rows each time it is opened. */
export function createRowsPreview(api: ApiClient, uploadId: string, filename: string): HTMLDetailsElement {
  const details = document.createElement('details');
  details.className = 'import-preview';
  const summary = document.createElement('summary');
  summary.textContent = `First ${PREVIEW_ROWS} rows`;
  const content = document.createElement('div');
  details.append(summary, content);
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    content.textContent = 'Loading…';
    try {
      const page = await api.json<RowsPage>(`/api/uploads/${uploadId}/rows?limit=${PREVIEW_ROWS}`);
      content.replaceChildren(renderRowsTable(page, `First rows of ${filename}`));
    } catch (error) {
      content.textContent = `The rows could not be loaded: ${(error as Error).message}`;
    }
  });
  return details;
}
