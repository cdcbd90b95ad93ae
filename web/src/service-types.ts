// The service's JSON shapes, shared with the server so the page and the API
// cannot drift apart (type-only: nothing of the server ends up in the bundle).
import type { RejectedRowsPage } from '../../server/uploads/rejected-row-view.ts';

export type { ImportOptionValues } from '../../server/import/import-settings.ts';
export type { ImportPreview } from '../../server/import/preview-import.ts';
export type { ColumnType } from '../../server/import/value-types.ts';
export type { JobView, UploadView } from '../../server/uploads/upload-view.ts';

/** GET /api/config */
export interface ServiceConfig {
  maxFileSize: number;
  chunkSize: number;
  /** tus requests in parallel per file (concatenation); 1 keeps resume across sessions. */
  parallelUploads?: number;
  tusEndpoint: string;
  allowedTypes: string[];
  /** Existing tables an import may load into ("schema.table"); absent on services without any. */
  importTargets?: string[];
}

export interface RowsPage {
  rows: { recordNumber: number; data: Record<string, string> }[];
  nextAfter: number | null;
}

/** GET /api/uploads/:id/rejected */
export type RejectedRow = RejectedRowsPage['rejected'][number];
