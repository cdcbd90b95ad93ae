// GET /api/config: what a client needs to configure its uploader.
import type { FastifyInstance } from 'fastify';
import { TUS_PATH } from '../tus/tus-server.ts';
import { ALLOWED_EXTENSIONS, ALLOWED_MIME_TYPES } from '../uploads/file-types.ts';

export interface ConfigRouteOptions {
  maxFileSize: number;
  chunkSize: number;
  parallelUploads: number;
  /** IMPORT_TARGETS: existing tables a mapping's `target` may name. */
  importTargets: readonly { schema: string; table: string }[];
}

export async function configRoute(app: FastifyInstance, options: ConfigRouteOptions): Promise<void> {
  app.get('/api/config', async () => ({
    maxFileSize: options.maxFileSize,
    chunkSize: options.chunkSize,
    parallelUploads: options.parallelUploads,
    tusEndpoint: `${TUS_PATH}/`,
    importTargets: options.importTargets.map((t) => `${t.schema}.${t.table}`),
    allowedTypes: [...ALLOWED_EXTENSIONS, ...ALLOWED_MIME_TYPES.filter((t) => t !== 'application/octet-stream')],
  }));
}
