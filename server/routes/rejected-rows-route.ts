// GET /api/uploads/:id/rejected?limit=&after=: the rejected records as JSON, in
// file order, paged by record number (keyset) like the rows route, so a client
// can show them beside the imported rows; the CSV report stays at /errors.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';
import type { RejectedRowsPage } from '../uploads/rejected-row-view.ts';
import { KEYSET_PAGE_QUERY_SCHEMA, type KeysetPageQuery } from './keyset-page-query.ts';

export interface RejectedRowsRouteOptions {
  db: Kysely<Database>;
}

export async function rejectedRowsRoute(app: FastifyInstance, options: RejectedRowsRouteOptions): Promise<void> {
  const { db } = options;
  app.get<{ Params: { id: string }; Querystring: KeysetPageQuery }>(
    '/api/uploads/:id/rejected',
    {
      schema: {
        querystring: KEYSET_PAGE_QUERY_SCHEMA,
      },
    },
    async (request): Promise<RejectedRowsPage> => {
      const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
      const page = await db
        .selectFrom('row_errors')
        .select(['record_number', 'line_number', 'column_name', 'message', 'raw'])
        .where('upload_id', '=', upload.id)
        .where('record_number', '>', request.query.after)
        .orderBy('record_number')
        .limit(request.query.limit)
        .execute();
      const last = page.at(-1);
      return {
        rejected: page.map((row) => ({
          recordNumber: Number(row.record_number),
          line: Number(row.line_number),
          column: row.column_name,
          message: row.message,
          raw: row.raw,
        })),
        nextAfter: page.length === request.query.limit && last ? Number(last.record_number) : null,
      };
    },
  );
}
