// Checks once per run whether the PostgreSQL the suites need is reachable.
// Locally a missing server skips those suites with a message saying what to
// start; with CI=true it fails the run instead, so nothing skips silently.
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
  }
}

export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  let available = false;
  try {
    await client.connect();
    await client.query('select 1');
    available = true;
  } catch (error) {
    const message = `PostgreSQL is not reachable at ${ADMIN_URL} (${(error as Error).message}).`;
    if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`);
    process.stderr.write(
      `\n${message}\nSuites that need a real PostgreSQL are SKIPPED. Start one (e.g. pg_ctlcluster 15 main start) or set TEST_POSTGRES_URL.\n\n`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  project.provide('postgresAvailable', available);
}
