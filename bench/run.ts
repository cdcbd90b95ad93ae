// `pnpm bench [--quick]`: runs the benchmarks one after another (never in
// parallel: they measure the machine), writes bench/results/<date>.json and
// prints a table. Benchmarks never fail for being slow; they fail only when
// the harness itself breaks.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchResult } from './bench-support.ts';
import { concurrentBench } from './concurrent-bench.ts';
import { importBench } from './import-bench.ts';
import { queueBench } from './queue-bench.ts';
import { recoveryBench } from './recovery-bench.ts';
import { uploadBench } from './upload-bench.ts';

const BENCHES: Record<string, (context: BenchContext) => Promise<BenchResult[]>> = {
  upload: uploadBench,
  concurrent: concurrentBench,
  import: importBench,
  queue: queueBench,
  recovery: recoveryBench,
};

function table(results: BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    `${r.value} ${r.unit}`,
    r.baseline ? `${r.baseline.value} ${r.unit} (${r.baseline.name})` : '',
    r.ratio !== undefined ? `${r.ratio}x` : '',
    r.target ?? '',
    r.note ?? '',
  ]);
  const header = ['benchmark', 'value', 'baseline (same run)', 'ratio', 'target', 'note'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const context: BenchContext = {
    quick,
    adminUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    log: (message) => process.stderr.write(`${message}\n`),
  };
  const results: BenchResult[] = [];
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (only && !only.split(',').includes(name)) continue;
    context.log(`== ${name}${quick ? ' (quick)' : ''}`);
    results.push(...(await bench(context)));
  }
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const directory = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(directory, { recursive: true });
  const file = `${directory}${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`;
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), quick, machine, results }, null, 2)}\n`);
  process.stdout.write(
    `${table(results)}\n\nmachine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}\nwritten: ${file}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`benchmark harness failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
