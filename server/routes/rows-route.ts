// GET /api/uploads/:id/rows?limit=&after=: imported rows in file order, paged
// by record number (keyset), so any page is as fast as the first.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';

export interface RowsRouteOptions {
  db: Kysely<Database>;
}

/** jsonb sorts keys its own way; the file's column order is the one people expect. */
type RowData = Record<string, string | number | boolean | null>;

function inFileOrder(data: RowData, columns: string[] | undefined): RowData {
  if (!columns) return data;
  const ordered: RowData = {};
  for (const column of columns) if (column in data) ordered[column] = data[column] ?? null;
  return Object.assign(ordered, data);
}

export async function rowsRoute(app: FastifyInstance, options: RowsRouteOptions): Promise<void> {
  const { db } = options;

  /** Column names as the import found them (from its checkpoint while running, its result after). */
  async function importedColumns(uploadId: string): Promise<string[] | undefined> {
    const job = await db
      .selectFrom('jobs')
      .select(['result', 'checkpoint'])
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    const fromResult = job?.result?.columns;
    return Array.isArray(fromResult) ? (fromResult as string[]) : job?.checkpoint?.columns;
  }
  app.get<{ Params: { id: string }; Querystring: { limit: number; after: number } }>(
    '/api/uploads/:id/rows',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            after: { type: 'integer', minimum: 0, default: 0 },
          },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
      const rows = await db
        .selectFrom('imported_rows')
        .select(['record_number', 'data'])
        .where('upload_id', '=', upload.id)
        .where('record_number', '>', request.query.after)
        .orderBy('record_number')
        .limit(request.query.limit)
        .execute();
      const columns = await importedColumns(upload.id);
      const last = rows.at(-1);
      return {
        rows: rows.map((row) => ({ recordNumber: Number(row.record_number), data: inFileOrder(row.data, columns) })),
        nextAfter: rows.length === request.query.limit && last ? Number(last.record_number) : null,
      };
    },
  );
}
