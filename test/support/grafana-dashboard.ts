// The Grafana dashboard in deploy/grafana/ as tests see it: its panels, their
// PromQL targets, and those queries with Grafana's variables filled in.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './service-process.ts';

export const DASHBOARD_FILE = join(ROOT, 'deploy/grafana/dashboards/csv-upload.json');

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type: string; uid: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: DashboardTarget[];
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
}

export async function readDashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Panels that query Prometheus (rows only group them). */
export function queryPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.filter((panel) => panel.type !== 'row');
}

/**
 * Grafana's range variables as Prometheus needs them in a plain query: one
 * window for all of them, chosen by the caller to span the data it looks at.
 */
export function withGrafanaVariables(expr: string, window: string): string {
  return expr.replace(/\$\{?__(rate_interval|interval|range)\}?/g, window);
}

/** The csvup_ series names the service defines (prom-client `name: '…'`), from its metric modules. */
export async function definedSeriesNames(): Promise<Set<string>> {
  const sources = await Promise.all(
    ['service-metrics.ts', 'database-gauges.ts'].map((file) => readFile(join(ROOT, 'server/metrics', file), 'utf8')),
  );
  return new Set(
    sources.flatMap((source) => [...source.matchAll(/name: '(csvup_[a-z_]+)'/g)].map((m) => m[1] as string)),
  );
}

/** A histogram's or summary's sample name stands for the series it belongs to. */
export function seriesBaseName(sample: string): string {
  return sample.replace(/_(count|sum|bucket)$/, '');
}
