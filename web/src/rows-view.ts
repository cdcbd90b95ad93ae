// An import's rows as a table, paged through the whole import with the keyset
// API (GET /api/uploads/:id/rows), with the rejected records beside them
// (GET /api/uploads/:id/rejected) and the CSV error report to download.
import type { ApiClient } from './api-client.ts';
import { renderDataTable } from './data-table.ts';
import { formatCount } from './format.ts';
import { KeysetPager } from './keyset-pager.ts';
import type { RejectedRow, RowsPage } from './service-types.ts';

export const ROWS_PAGE_SIZE = 100;
const REJECTED_PAGE_SIZE = 50;

type Row = RowsPage['rows'][number];

function rowsTable(rows: Row[], caption: string): HTMLElement {
  const columns = Object.keys(rows[0]?.data ?? {});
  const cells = rows.map((row) => [row.recordNumber, ...columns.map((column) => row.data[column])]);
  return renderDataTable(['#', ...columns], cells, caption);
}

export interface RowsView {
  element: HTMLDetailsElement;
  /** The counts of the import, shown in the summary; rejected rows appear when there are some. */
  update(rows: number, rejected: number, final: boolean): void;
}

export function createRowsView(
  api: ApiClient,
  uploadId: string,
  filename: string,
  downloadReport: () => void,
): RowsView {
  let rejectedCount = 0;
  let importedCount = 0;
  /** Counts of a finished import are final: the pagers can tell the last page. */
  let finished = false;
  const details = document.createElement('details');
  details.className = 'import-preview';
  const summary = document.createElement('summary');
  const layout = document.createElement('div');
  layout.className = 'rows-layout';

  const imported = new KeysetPager<Row>({
    api,
    label: 'rows',
    pageSize: ROWS_PAGE_SIZE,
    pageSizes: [100, 500, 1000],
    total: () => (finished ? importedCount : null),
    load: async (client, after, limit) => {
      const page = await client.json<RowsPage>(`/api/uploads/${uploadId}/rows?limit=${limit}&after=${after}`);
      return { items: page.rows, nextAfter: page.nextAfter };
    },
    render: (rows) => rowsTable(rows, `Imported rows of ${filename}`),
  });
  imported.element.classList.add('rows-imported');

  const rejectedSection = document.createElement('section');
  rejectedSection.className = 'rows-rejected';
  const rejectedHeading = document.createElement('h3');
  const report = document.createElement('button');
  report.type = 'button';
  report.className = 'link-button';
  report.textContent = 'Download the error report (CSV)';
  report.addEventListener('click', downloadReport);
  const rejected = new KeysetPager<RejectedRow>({
    api,
    label: 'rejected rows',
    pageSize: REJECTED_PAGE_SIZE,
    load: async (client, after, limit) => {
      const page = await client.json<{ rejected: RejectedRow[]; nextAfter: number | null }>(
        `/api/uploads/${uploadId}/rejected?limit=${limit}&after=${after}`,
      );
      return { items: page.rejected, nextAfter: page.nextAfter };
    },
    total: () => (finished ? rejectedCount : null),
    render: (rows) =>
      renderDataTable(
        ['Line', 'Column', 'Message', 'Raw row'],
        rows.map((row) => [row.line, row.column ?? '', row.message, row.raw ?? '']),
        `Rejected rows of ${filename}`,
      ),
  });
  rejectedSection.append(rejectedHeading, report, rejected.element);
  layout.append(imported.element, rejectedSection);
  details.append(summary, layout);

  details.addEventListener('toggle', () => {
    if (!details.open) return;
    void imported.reload();
    if (rejectedCount > 0) void rejected.reload();
  });
  return {
    element: details,
    update(rows, rejectedRows, final) {
      rejectedCount = rejectedRows;
      importedCount = rows;
      finished = final;
      summary.textContent = `Rows: ${formatCount(rows)} imported, ${formatCount(rejectedRows)} rejected`;
      rejectedHeading.textContent = `Rejected rows (${formatCount(rejectedRows)})`;
      rejectedSection.hidden = rejectedRows === 0;
      details.hidden = rows === 0 && rejectedRows === 0;
    },
  };
}
