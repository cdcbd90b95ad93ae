// Opens the database the configuration names: a PostgreSQL server through `pg`
// when DATABASE_URL is set, otherwise embedded PGlite persisted on local disk.
// Both speak the same SQL; callers see one Kysely<Database>.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createEmbeddedDatabase, embeddedDatabaseExists } from './create-embedded-database.ts';
import { acquireDirectoryLock } from './directory-lock.ts';
import type { Database } from './schema.ts';

export type DatabaseHandle =
  | { kind: 'postgres'; db: Kysely<Database>; pool: pg.Pool; url: string; close(): Promise<void> }
  | { kind: 'embedded'; db: Kysely<Database>; pglite: PGlite; close(): Promise<void> };

export interface DatabaseOptions {
  /** postgres://… ; when absent the embedded database under `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  /** Connections in the query pool (Postgres only). */
  poolSize?: number;
}

/** bigint (oid 20) as a JS number: counts and offsets here stay below 2^53. */
const INT8_OID = 20;
const numberTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openEmbedded(options.dataDir);
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: numberTypes as pg.CustomTypesConfig });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // A checked-out client whose server goes away (restart, failover) emits 'error' too;
  // its query already fails with that error, so the listener only keeps the process alive.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kind: 'postgres', db, pool, url, close: () => db.destroy() };
}

async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  const directory = join(dataDir, 'db');
  await mkdir(dataDir, { recursive: true });
  // PGlite is single-process: a second opener would corrupt the data directory.
  const lock = await acquireDirectoryLock(join(dataDir, 'db.lock'), 'the embedded database');
  let pglite: PGlite;
  try {
    if (!embeddedDatabaseExists(directory)) await createEmbeddedDatabase(directory);
    // Loaded on demand: in PostgreSQL mode the WebAssembly module would cost ~40 MB of RSS for nothing.
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(directory);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'embedded',
    db,
    pglite,
    async close() {
      await db.destroy();
      await lock.release();
    },
  };
}
