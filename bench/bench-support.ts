// What every benchmark shares: a result shape, medians over repeated runs,
// a scratch PostgreSQL database, and peak RSS of a child process.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The physical limit or reference measured in the same run, when there is one. */
  baseline?: { name: string; value: number };
  /** value / baseline (higher is better for rates). */
  ratio?: number;
  target?: string;
  note?: string;
}

export interface BenchContext {
  quick: boolean;
  adminUrl: string;
  log(message: string): void;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return Math.round(value * 100) / 100;
}

export async function withScratchDatabase<T>(adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `csvup_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export function ratio(value: number, baseline: number): number {
  return Math.round((value / baseline) * 100) / 100;
}
