// GET /api/uploads/:id/rows?limit=&after=: imported rows in file order, paged
// by record number (keyset), so any page is as fast as the first.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { appError } from '../errors.ts';
import { readImportRows } from '../import/destination/stored-rows.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';
import { KEYSET_PAGE_QUERY_SCHEMA, type KeysetPageQuery } from './keyset-page-query.ts';

export interface RowsRouteOptions {
  db: Kysely<Database>;
}

export async function rowsRoute(app: FastifyInstance, options: RowsRouteOptions): Promise<void> {
  const { db } = options;

  app.get<{ Params: { id: string }; Querystring: KeysetPageQuery }>(
    '/api/uploads/:id/rows',
    {
      schema: {
        querystring: KEYSET_PAGE_QUERY_SCHEMA,
      },
    },
    async (request) => {
      const upload = await requireOwnedUpload(db, request.owner as string, request.params.id);
      const page = await readImportRows(db, upload.id, request.query.after, request.query.limit);
      if ('appendedTo' in page)
        throw appError(
          'conflict',
          `This upload's rows were appended to ${page.appendedTo}, which holds other rows too: query that table`,
        );
      const last = page.rows.at(-1);
      return {
        rows: page.rows,
        nextAfter: page.rows.length === request.query.limit && last ? last.recordNumber : null,
      };
    },
  );
}
