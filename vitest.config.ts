// Three projects: unit tests beside the code (they pick their databases
// themselves), and the integration suites in test/, run once on embedded
// PGlite and once on a real PostgreSQL server.
import { defineConfig } from 'vitest/config';

// Suites that do not touch the database's behaviour run once, with the embedded database.
const DATABASE_AGNOSTIC = [
  'test/caddy-proxy.test.ts',
  'test/deploy-files.test.ts',
  'test/browser/dashboard-resume.test.ts',
  'test/terminal-output.test.ts',
  'test/first-run.test.ts',
];

// Suites about several processes sharing one PostgreSQL (scale-out, worker and API kills,
// database restarts, the dashboard's API and worker series): meaningless on the
// single-process embedded database.
const POSTGRES_ONLY = [
  'test/scale-out/**',
  'test/faults/api-kill.test.ts',
  'test/faults/worker-kill.test.ts',
  'test/faults/database-restart.test.ts',
  'test/grafana-dashboard.test.ts',
];

const integration = (database: 'embedded' | 'postgres') => ({
  test: {
    name: `integration-${database}`,
    include: ['test/**/*.test.ts'],
    exclude: database === 'postgres' ? DATABASE_AGNOSTIC : POSTGRES_ONLY,
    env: { TEST_DATABASE: database },
    globalSetup: ['test/support/postgres-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    // Each file starts real servers and databases; two cores do not take more at once.
    maxWorkers: 2,
    fileParallelism: true,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'db/**/*.test.ts'],
          globalSetup: ['test/support/postgres-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      integration('embedded'),
      integration('postgres'),
    ],
    coverage: {
      provider: 'v8',
      include: ['server/**/*.ts', 'db/**/*.ts'],
      // Entry points are a few lines of wiring, exercised as real child processes
      // by test/processes.test.ts, where in-process coverage cannot see them.
      exclude: ['**/*.test.ts', 'server/main.ts', 'server/worker-main.ts', 'server/cli/main.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
