// A scaled-out deployment on loopback for one test file: its own PostgreSQL
// database, one shared upload directory, and real `pnpm start` / `pnpm worker`
// processes started from their entry points, each with its own log.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../support/postgres-database.ts';
import {
  type RunningProcess,
  runServiceProcess,
  runWorkerProcess,
  waitForOutput,
} from '../../support/service-process.ts';

export const TOKEN = 'scale-out-test-token-0123456789';

export interface ClusterProcess extends RunningProcess {
  name: string;
  /** http://127.0.0.1:<port> for API processes; empty for workers. */
  baseUrl: string;
  /** JSON log lines printed so far. */
  logs(): Array<Record<string, unknown>>;
}

export interface Cluster {
  database: TemporaryDatabase;
  uploadDir: string;
  startApi(name: string, env?: Record<string, string>): Promise<ClusterProcess>;
  startWorker(name: string, env?: Record<string, string>): Promise<ClusterProcess>;
  /** SIGTERM to every process still running, then drops the database and the files. */
  stop(): Promise<void>;
}

function parseLogs(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const database = await createTemporaryDatabase();
  const root = await mkdtemp(join(tmpdir(), 'csvup-cluster-'));
  const uploadDir = join(root, 'uploads');
  const processes: ClusterProcess[] = [];
  const common = {
    DATABASE_URL: database.url,
    UPLOAD_DIR: uploadDir,
    AUTH_TOKENS: `alice:${TOKEN}`,
    MIN_FREE_DISK_MB: '0',
    RATE_LIMIT_API_PER_MINUTE: '0',
    RATE_LIMIT_UPLOADS_PER_MINUTE: '0',
    JOB_POLL_INTERVAL_MS: '250',
    SHUTDOWN_GRACE_MS: '1000',
    LOG_LEVEL: 'info',
    ...env,
  };

  const envFor = (name: string, extra: Record<string, string>) => ({
    ...common,
    DATA_DIR: join(root, name),
    PORT: '0',
    ...extra,
  });

  function track(running: RunningProcess, name: string): ClusterProcess {
    const process: ClusterProcess = { ...running, name, baseUrl: '', logs: () => parseLogs(running.stdout()) };
    processes.push(process);
    return process;
  }

  return {
    database,
    uploadDir,
    async startApi(name, extra = {}) {
      const api = track(await runServiceProcess(envFor(name, { WORKER_CONCURRENCY: '0', ...extra })), name);
      const [, url] = await waitForOutput(api, /CSV upload service: (http:\/\/\S+)/, 90_000);
      api.baseUrl = url as string;
      return api;
    },
    async startWorker(name, extra = {}) {
      const worker = track(await runWorkerProcess(envFor(name, extra)), name);
      await waitForOutput(worker, /"msg":"worker started"/, 90_000);
      return worker;
    },
    async stop() {
      for (const process of processes)
        if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGTERM');
      await Promise.all(processes.map((process) => process.exited));
      await database.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The same upload URL on another API process. */
export function onProcess(url: string, api: ClusterProcess): string {
  return `${api.baseUrl}${new URL(url).pathname}`;
}
