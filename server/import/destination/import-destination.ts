// Before an import: which table its rows go to (and that it may). After it:
// the import's own table gets its primary key, and the result names it.
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { ImportSettings } from '../import-settings.ts';
import {
  type DestinationRequest,
  type DestinationSummary,
  destinationFor,
  type StoredColumns,
  summariseDestination,
} from './destination.ts';
import { buildRecordNumberKey, ensureImportSchema, prepareDestination, readExistingTable } from './destination-sql.ts';
import { checkAllowedTarget, type TableName } from './import-target.ts';
import { kyselyRunner } from './kysely-runner.ts';

export interface DestinationConfig {
  /** IMPORT_SCHEMA. */
  schema: string;
  /** IMPORT_TARGETS. */
  allowedTargets: readonly TableName[];
}

/** Throws a permanent ImportFileError for a target that is not allowed, does not exist or cannot take the mapping. */
export async function requestDestination(
  db: Kysely<Database>,
  settings: ImportSettings,
  upload: { id: string; filename: string },
  config: DestinationConfig,
): Promise<DestinationRequest> {
  const run = kyselyRunner(db);
  const target = settings.target;
  if (!target) {
    const request: DestinationRequest = {
      kind: 'new',
      schema: config.schema,
      filename: upload.filename,
      uploadId: upload.id,
    };
    await ensureImportSchema(run, request);
    return request;
  }
  checkAllowedTarget(target, config.allowedTargets);
  const table = await readExistingTable(run, target.schema, target.table);
  const request: DestinationRequest = { kind: 'existing', ...target, ...table };
  if (settings.mapping)
    // Checks the mapping's names against the table's columns now, before any row is read.
    destinationFor(request, {
      names: settings.mapping.map((c) => c.name),
      types: settings.mapping.map((c) => c.type),
      headers: [],
    });
  return request;
}

/**
 * Once every batch committed: makes sure the table exists (a file with a
 * header and no rows still gets one) and builds the import's own table's key.
 */
export async function finishDestination(
  db: Kysely<Database>,
  request: DestinationRequest,
  stored: StoredColumns | null,
  upload: { id: string; filename: string },
): Promise<DestinationSummary | null> {
  if (stored === null) return null;
  const destination = destinationFor(request, stored);
  const run = kyselyRunner(db);
  await prepareDestination(run, destination, upload);
  if (!destination.owned) return summariseDestination(destination);
  return summariseDestination(destination, await buildRecordNumberKey(run, destination));
}
