// GET /api/uploads/:id/preview?rows=50: what an import of a stored file would
// find and store, without importing it; import options (delimiter, quote,
// escape, encoding, header, mapping) go as query parameters, so a client can
// change the dialect or retype a column and see the result at once.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { appError } from '../errors.ts';
import { ImportFileError } from '../import/import-errors.ts';
import { type ImportOptionValues, importSettingsFromMetadata } from '../import/import-settings.ts';
import { previewImport } from '../import/preview-import.ts';
import type { UploadImportSources } from '../import/source/upload-import-sources.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';

export interface PreviewRouteOptions {
  db: Kysely<Database>;
  importSources: UploadImportSources;
}

const OPTION = { type: 'string', maxLength: 65536 } as const;

type PreviewQuery = { rows: number } & ImportOptionValues;

export async function previewRoute(app: FastifyInstance, options: PreviewRouteOptions): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: PreviewQuery }>(
    '/api/uploads/:id/preview',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            rows: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            delimiter: OPTION,
            quote: OPTION,
            escape: OPTION,
            encoding: OPTION,
            header: OPTION,
            mapping: OPTION,
          },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const upload = await requireOwnedUpload(options.db, request.owner as string, request.params.id);
      if (upload.state === 'uploading' || upload.state === 'expired')
        throw appError('conflict', `The upload is ${upload.state}: only a complete upload can be previewed`);
      const { rows, ...metadata } = request.query;
      try {
        return await previewImport(options.importSources(upload.id), importSettingsFromMetadata(metadata), rows);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as { name?: string }).name === 'NoSuchKey')
          throw appError('conflict', 'The file is no longer stored (its retention period ended)');
        // Bad options, a mapping naming a column the file lacks, a file that is not text.
        if (error instanceof ImportFileError) throw appError('invalid_request', error.message);
        throw error;
      }
    },
  );
}
