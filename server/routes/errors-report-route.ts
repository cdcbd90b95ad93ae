// GET /api/uploads/:id/errors: the rejected rows as a CSV report (line, record,
// column, message, raw) that opens safely in a spreadsheet, streamed from the
// database a page at a time (keyset on record_number), never held whole.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';

export interface ErrorsReportRouteOptions {
  db: Kysely<Database>;
  /** Error rows read per query (default 1000). */
  pageSize?: number;
}

const COLUMNS = ['line', 'record', 'column', 'message', 'raw'];

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab or
 * CR, per OWASP's CSV injection advice) gets a leading apostrophe.
 */
export function reportCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** `people.csv` → `people-errors.csv`, reduced to characters every browser and OS keep. */
export function reportFilename(original: string): string {
  const stem = original.replace(/\.(csv|tsv|tab|txt)$/i, '');
  const safe = stem
    .replace(/[^A-Za-z0-9._ ()-]+/g, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 150);
  return `${safe || 'upload'}-errors.csv`;
}

/** RFC 5987 value keeping the original (non-ASCII) name for clients that read `filename*`. */
function extendedValue(original: string): string {
  const name = `${original.replace(/\.(csv|tsv|tab|txt)$/i, '')}-errors.csv`;
  return encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function* reportLines(db: Kysely<Database>, uploadId: string, pageSize: number): AsyncGenerator<string> {
  yield `${COLUMNS.join(',')}\r\n`;
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('row_errors')
      .select(['record_number', 'line_number', 'column_name', 'message', 'raw'])
      .where('upload_id', '=', uploadId)
      .where('record_number', '>', after)
      .orderBy('record_number')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    let text = '';
    for (const row of page) {
      const cells = [Number(row.line_number), Number(row.record_number), row.column_name, row.message, row.raw];
      text += `${cells.map(reportCell).join(',')}\r\n`;
    }
    yield text;
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1].record_number);
  }
}

export async function errorsReportRoute(app: FastifyInstance, options: ErrorsReportRouteOptions): Promise<void> {
  const { db } = options;
  const pageSize = options.pageSize ?? 1000;
  app.get<{ Params: { id: string } }>('/api/uploads/:id/errors', async (request, reply) => {
    const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
    const filename = reportFilename(upload.filename);
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="${filename}"; filename*=UTF-8''${extendedValue(upload.filename)}`,
      )
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff');
    return reply.send(Readable.from(reportLines(db, upload.id, pageSize)));
  });
}
