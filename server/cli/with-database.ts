// Opens the configured database for one CLI command and always closes it. On
// the embedded database a running server holds the lock, and the error says so.
import { type DatabaseHandle, openDatabase } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Config } from '../config/config.ts';

export async function withDatabase<T>(
  config: Readonly<Config>,
  work: (database: DatabaseHandle) => Promise<T>,
  options: { migrate: boolean } = { migrate: true },
): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (options.migrate) await migrateToLatest(database.db);
    return await work(database);
  } finally {
    await database.close();
  }
}
