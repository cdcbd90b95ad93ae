// A real Prometheus server (Debian's `prometheus`) on a loopback port for one
// test file: a temporary config scraping the given targets every second, a
// temporary database, and its HTTP query API.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  url: string;
  /** An instant query at the current time; throws on a query Prometheus refuses. */
  query(expr: string): Promise<PrometheusSample[]>;
  /** Prometheus's own log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  program: string;
  /** Scrape job name -> host:port targets (path /metrics). */
  jobs: Record<string, string[]>;
  ruleFiles?: string[];
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'csvup-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: Object.entries(options.jobs).map(([job, targets]) => ({
      job_name: job,
      metrics_path: '/metrics',
      static_configs: [{ targets }],
    })),
  };
  // JSON is YAML: no serializer needed for the config file.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const child: ChildProcess = spawn(
    options.program,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const collect = (chunk: Buffer) => {
    log += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    log: () => log,
    stop,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }),
      });
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: PrometheusSample[] };
      };
      if (body.status !== 'success' || !body.data) throw new Error(`query refused: ${expr}: ${body.error}`);
      if (body.data.resultType !== 'vector') throw new Error(`not an instant vector: ${expr}`);
      return body.data.result;
    },
  };
}

/** Polls `expr` until `done` holds for its result (scrapes come every second). */
export async function waitForQuery(
  prometheus: PrometheusServer,
  expr: string,
  done: (result: PrometheusSample[]) => boolean,
  timeoutMs = 30_000,
): Promise<PrometheusSample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await prometheus.query(expr);
    if (done(result)) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${expr}: ${JSON.stringify(result)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
