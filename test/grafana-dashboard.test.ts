// The Grafana dashboard on real data: Debian's Prometheus scrapes a real API
// process and a real `pnpm worker` process (its WORKER_METRICS_PORT), and
// loads the alert rules; after uploads and imports (some rows rejected, one
// import failing, some 4xx answers) every panel's PromQL, with Grafana's
// variables filled in, must return series with numbers. A panel that returns
// nothing is a broken panel. PostgreSQL only: workers need a shared database.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Cluster, type ClusterProcess, startCluster, TOKEN } from './scale-out/support/cluster.ts';
import { apiRequest, jobFinished, uploadIdFromUrl, waitForUpload } from './support/api-client.ts';
import { queryPanels, readDashboard, withGrafanaVariables } from './support/grafana-dashboard.ts';
import { type PrometheusServer, startPrometheus, waitForQuery } from './support/prometheus-server.ts';
import { findProgram, programUnavailable } from './support/required-program.ts';
import { ROOT } from './support/service-process.ts';
import { tusUpload } from './support/tus-client.ts';

// Three good rows and one with a field too many; then a file whose quote never closes (fails for good).
const GOOD_CSV = 'id,name\n1,one\n2,two\n3,three,extra\n4,four\n';
const BROKEN_CSV = 'id,name\n1,"never closed\n2,two\n';
// Every range variable becomes one window that spans the whole test.
const WINDOW = '10m';

const hostPort = (url: string) => new URL(url).host;

describe.skipIf(!inject('postgresAvailable') || programUnavailable('prometheus', 'apt-get install prometheus'))(
  'Grafana dashboard queries on a real Prometheus',
  () => {
    let cluster: Cluster;
    let api: ClusterProcess;
    let prometheus: PrometheusServer;
    let files: string;

    beforeAll(async () => {
      files = await mkdtemp(join(tmpdir(), 'csvup-dashboard-'));
      await writeFile(join(files, 'good.csv'), GOOD_CSV);
      await writeFile(join(files, 'broken.csv'), BROKEN_CSV);
      cluster = await startCluster();
      let worker: ClusterProcess;
      [api, worker] = await Promise.all([
        cluster.startApi('api'),
        cluster.startWorker('worker', { WORKER_METRICS_PORT: '0', WORKER_CONCURRENCY: '1' }),
      ]);
      const listening = worker.logs().find((line) => line.msg === 'worker metrics listening');
      expect(listening?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      prometheus = await startPrometheus({
        program: findProgram('prometheus') as string,
        jobs: { 'csv-upload': [hostPort(api.baseUrl)], 'csv-upload-worker': [hostPort(listening?.url as string)] },
        ruleFiles: [join(ROOT, 'deploy/prometheus/alerts.yml')],
      });
    });
    afterAll(async () => {
      await prometheus?.stop();
      await cluster?.stop();
      await rm(files, { recursive: true, force: true });
    });

    async function uploadAndImport(name: string): Promise<string> {
      // Quotes declared: sniffed, the quote that never closes in broken.csv would be read as text.
      const metadata = { quote: '"' };
      const { url } = await tusUpload({
        endpoint: `${api.baseUrl}/files/`,
        token: TOKEN,
        path: join(files, name),
        metadata,
      });
      const { upload } = await waitForUpload(api.baseUrl, TOKEN, uploadIdFromUrl(url), jobFinished);
      return upload.job?.state ?? 'none';
    }

    it('returns series for every panel after uploads and imports', async () => {
      // Both processes scraped before anything happens, so every counter is seen rising.
      await waitForQuery(prometheus, 'up', (r) => r.length === 2 && r.every((s) => s.value[1] === '1'));
      // Two rounds a scrape apart: labelled series (outcomes, error statuses) appear in the
      // first and rise in the second, so their rates are numbers, not empty.
      for (const round of [1, 2]) {
        expect(await uploadAndImport('good.csv')).toBe('succeeded');
        expect(await uploadAndImport('broken.csv')).toBe('failed');
        expect((await apiRequest(api.baseUrl, '/api/uploads', null)).status).toBe(401);
        expect((await apiRequest(api.baseUrl, '/api/uploads/no-such-upload', TOKEN)).status).toBe(404);
        await waitForQuery(prometheus, 'sum(csvup_rows_imported_total)', (r) => Number(r[0]?.value[1]) === 3 * round);
        await waitForQuery(
          prometheus,
          'sum(csvup_job_duration_seconds_count{outcome="failed"})',
          (r) => Number(r[0]?.value[1]) === round,
        );
      }
      await waitForQuery(
        prometheus,
        'sum(csvup_http_requests_total{status="401"})',
        (r) => Number(r[0]?.value[1]) === 2,
      );

      // Every request series scraped twice at least, however the rounds fell between scrapes: a rate needs two samples.
      await waitForQuery(
        prometheus,
        `min(count_over_time(csvup_http_requests_total[${WINDOW}]))`,
        (r) => Number(r[0]?.value[1]) >= 2,
      );
      const dashboard = await readDashboard();
      const empty: string[] = [];
      for (const panel of queryPanels(dashboard)) {
        for (const target of panel.targets ?? []) {
          const result = await prometheus.query(withGrafanaVariables(target.expr, WINDOW));
          const numbers = result.map((sample) => Number(sample.value[1])).filter(Number.isFinite);
          if (numbers.length === 0) empty.push(`${panel.title} (${target.refId}): ${target.expr}`);
        }
      }
      expect(empty).toEqual([]);

      // The panels show what happened: the worker's rows, the rejected ones, both processes' memory.
      const rows = await prometheus.query(`sum(increase(csvup_rows_imported_total[${WINDOW}]))`);
      expect(Number(rows[0]?.value[1])).toBeGreaterThan(0);
      const memory = await prometheus.query('process_resident_memory_bytes');
      expect(memory.map((s) => s.metric.job).sort()).toEqual(['csv-upload', 'csv-upload-worker']);
      const rejected = await prometheus.query('sum(csvup_rows_rejected_total)');
      expect(Number(rejected[0]?.value[1])).toBe(2);
    });

    it('evaluates every alert rule without errors, none firing on a healthy service', async () => {
      type Rule = { name: string; health: string; lastError?: string; state: string };
      let rules: Rule[] = [];
      const deadline = Date.now() + 30_000;
      do {
        const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
          data: { groups: { rules: Rule[] }[] };
        };
        rules = body.data.groups.flatMap((group) => group.rules);
        if (rules.length > 0 && rules.every((rule) => rule.health !== 'unknown')) break;
        await new Promise((r) => setTimeout(r, 250));
      } while (Date.now() < deadline);
      expect(rules).toHaveLength(7);
      for (const rule of rules)
        expect({ name: rule.name, health: rule.health }).toEqual({ name: rule.name, health: 'ok' });
      expect(rules.filter((rule) => rule.state === 'firing').map((rule) => rule.name)).toEqual([]);
    });
  },
);
