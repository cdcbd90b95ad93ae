// Applies the migrations in order with Kysely's Migrator. The list is static so
// it works the same from source (tsx) and from any bundle.
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/0001_initial.ts';
import * as jobRequestId from './migrations/0002_job_request_id.ts';
import * as tusConcatenation from './migrations/0003_tus_concatenation.ts';
import * as rowValueArrays from './migrations/0004_row_value_arrays.ts';
import * as workerLiveness from './migrations/0005_worker_liveness.ts';
import * as importTables from './migrations/0006_import_tables.ts';
import type { Database } from './schema.ts';

const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_job_request_id': jobRequestId,
  '0003_tus_concatenation': tusConcatenation,
  '0004_row_value_arrays': rowValueArrays,
  '0005_worker_liveness': workerLiveness,
  '0006_import_tables': importTables,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Migrates up or down to the named migration (tests of a migration's data conversion). */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

/** True when every known migration has been applied (readiness). */
export async function migrationsAreCurrent(db: Kysely<Database>): Promise<boolean> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
