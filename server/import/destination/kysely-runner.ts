// Runs the destination's statements through Kysely, on either database,
// outside a batch's transaction (preparing and finishing an import).
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { SqlRunner } from './destination-sql.ts';

export function kyselyRunner(db: Kysely<Database>): SqlRunner {
  return async (text, params = []) => {
    const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params));
    return result.rows;
  };
}
