// GET /api/uploads/:id/rows?limit=&after=: imported rows in file order, paged
// by record number (keyset), so any page is as fast as the first.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { rowObject, storedColumnNamesOf } from '../import/stored-rows.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';

export interface RowsRouteOptions {
  db: Kysely<Database>;
}

export async function rowsRoute(app: FastifyInstance, options: RowsRouteOptions): Promise<void> {
  const { db } = options;

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
      const names = await storedColumnNamesOf(db, upload.id);
      const last = rows.at(-1);
      return {
        rows: rows.map((row) => ({ recordNumber: Number(row.record_number), data: rowObject(names, row.data) })),
        nextAfter: rows.length === request.query.limit && last ? Number(last.record_number) : null,
      };
    },
  );
}
