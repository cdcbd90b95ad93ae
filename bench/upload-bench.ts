// Upload throughput against the physical limit: one big file sent by
// tus-js-client from another process to the service (a child on PostgreSQL),
// whole and in 50 MiB chunks, through Caddy and direct, against a bare
// node:http server piping the same body to a file; the service's RSS growth.
// Chunked uploads are also measured against the bare server receiving the
// same 50 MiB requests one after another: a chunk boundary costs any server a
// drained pipeline (the last bytes written, the answer, the next request's
// first bytes), which a single whole-file POST never pays. Through Caddy the
// baseline is the bare server behind its own Caddy: the proxy's copy costs
// the two cores the same for any upstream, so the ratio is what the service
// itself adds behind a proxy.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeUploadFile } from './bench-files.ts';
import {
  BENCH_TOKEN,
  cpuSeconds,
  MiB,
  mebibytes,
  megabytesPerSecond,
  rssBytes,
  runScript,
  sampleRss,
  spawnTs,
  startServiceProcess,
  waitForText,
} from './bench-processes.ts';
import { type BenchContext, type BenchResult, median, ratio, withScratchDatabase } from './bench-support.ts';
import { type CaddyProxy, startCaddy } from './caddy-process.ts';

const CLIENT = 'bench/scripts/upload-client.ts';
const CHUNK = 50 * MiB;

interface ClientRun {
  ms: number;
  bytes: number;
}

/** One client process uploading `files`; returns MB/s. */
export async function clientRate(
  mode: 'tus' | 'raw',
  endpoint: string,
  files: string[],
  options: { concurrency?: number; chunkSize?: number } = {},
): Promise<number> {
  // Start with nothing left to write back: the kernel flushing the last run's (or the
  // freshly generated file's) gigabyte competes for the disk and the two cores.
  execFileSync('sync');
  const run = await runScript<ClientRun>(CLIENT, {
    mode,
    endpoint,
    token: BENCH_TOKEN,
    files,
    concurrency: options.concurrency ?? 1,
    chunkSize: options.chunkSize ?? 0,
  });
  return megabytesPerSecond(run.bytes, run.ms);
}

/** Deletes what the service stored, so repeated 1 GiB uploads do not fill the disk. */
export async function clearDirectory(directory: string): Promise<void> {
  for (const name of await readdir(directory).catch(() => [])) await rm(join(directory, name), { force: true });
}

export async function uploadBench(context: BenchContext): Promise<BenchResult[]> {
  const size = context.quick ? 64 * MiB : 1024 * MiB;
  // Five full runs: single 1 GiB uploads vary by a quarter from run to run on two shared cores.
  const runs = context.quick ? 2 : 5;
  const label = `${mebibytes(size)} MiB`;
  const dir = await mkdtemp(join(tmpdir(), 'csvup-bench-upload-'));
  const file = join(dir, 'upload.csv');
  const warmFile = join(dir, 'warm.csv');
  await writeUploadFile(file, size);
  await writeUploadFile(warmFile, MiB);
  await mkdir(join(dir, 'bare'));
  try {
    return await withScratchDatabase(context.adminUrl, async (url) => {
      const bare = spawnTs('bench/scripts/bare-upload-server.ts', [join(dir, 'bare')], {});
      const service = await startServiceProcess({
        DATABASE_URL: url,
        DATA_DIR: join(dir, 'data'),
        WORKER_CONCURRENCY: '0',
      });
      const caddy = await startCaddy(service.baseUrl);
      let bareCaddy: CaddyProxy | null = null;
      const uploadDir = join(dir, 'data', 'uploads');
      try {
        const barePort = (await waitForText(bare, /listening on (\d+)/))[1];
        bareCaddy = caddy ? await startCaddy(`http://127.0.0.1:${barePort}`) : null;
        const direct = `${service.baseUrl}/files/`;
        await clientRate('tus', direct, [warmFile]);
        const idleRss = rssBytes(service.pid);
        let peakRss = idleRss;
        const rates = {
          bare: [] as number[],
          bareChunked: [] as number[],
          whole: [] as number[],
          chunked: [] as number[],
          caddy: [] as number[],
          bareCaddy: [] as number[],
        };
        // CPU seconds per GiB of the receiving process (the service's, all threads; the bare server's).
        const cpu = { bare: [] as number[], whole: [] as number[], chunked: [] as number[] };
        const perGiB = (seconds: number) => Math.round((seconds / (size / (1024 * MiB))) * 100) / 100;
        const measured = async (endpoint: string, chunkSize = 0, cpuOf?: number[]) => {
          const sampler = sampleRss(service.pid);
          const cpuBefore = cpuSeconds(service.pid);
          const rate = await clientRate('tus', endpoint, [file], { chunkSize });
          cpuOf?.push(perGiB(cpuSeconds(service.pid) - cpuBefore));
          peakRss = Math.max(peakRss, sampler.stop());
          await clearDirectory(uploadDir);
          return rate;
        };
        for (let run = 0; run < runs; run++) {
          const bareCpu = cpuSeconds(bare.pid);
          rates.bare.push(await clientRate('raw', `http://127.0.0.1:${barePort}/`, [file]));
          cpu.bare.push(perGiB(cpuSeconds(bare.pid) - bareCpu));
          rates.bareChunked.push(
            await clientRate('raw', `http://127.0.0.1:${barePort}/`, [file], { chunkSize: CHUNK }),
          );
          rates.whole.push(await measured(direct, 0, cpu.whole));
          rates.chunked.push(await measured(direct, CHUNK, cpu.chunked));
          if (caddy) rates.caddy.push(await measured(`${caddy.baseUrl}/files/`));
          if (bareCaddy) rates.bareCaddy.push(await clientRate('raw', `${bareCaddy.baseUrl}/`, [file]));
          context.log(`upload run ${run + 1}: ${JSON.stringify(rates)} CPU s/GiB ${JSON.stringify(cpu)}`);
        }
        const note = (rateRuns: number[], cpuRuns: number[]) =>
          `runs ${rateRuns.join(', ')} MB/s, bare ${rates.bare.join(', ')}; CPU ${median(cpuRuns)} s/GiB (bare ${median(cpu.bare)})`;
        const bareRate = median(rates.bare);
        const wholeRate = median(rates.whole);
        const chunkedRate = median(rates.chunked);
        const bareChunkedRate = median(rates.bareChunked);
        const results: BenchResult[] = [
          {
            name: `upload ${label}, tus-js-client, no chunk limit`,
            value: wholeRate,
            unit: 'MB/s',
            baseline: { name: 'bare node:http body -> file', value: bareRate },
            ratio: ratio(wholeRate, bareRate),
            target: '>= 0.9x',
            note: note(rates.whole, cpu.whole),
          },
          {
            name: `upload ${label}, tus-js-client, 50 MiB chunks`,
            value: chunkedRate,
            unit: 'MB/s',
            baseline: { name: 'bare node:http body -> file', value: bareRate },
            ratio: ratio(chunkedRate, bareRate),
            target: '>= 0.9x',
            note: note(rates.chunked, cpu.chunked),
          },
          {
            name: `upload ${label}, tus-js-client, 50 MiB chunks, against the bare server in 50 MiB requests`,
            value: chunkedRate,
            unit: 'MB/s',
            baseline: { name: 'bare node:http, 50 MiB requests one after another -> file', value: bareChunkedRate },
            ratio: ratio(chunkedRate, bareChunkedRate),
            target: '>= 0.9x',
            note: `bare in 50 MiB requests: runs ${rates.bareChunked.join(', ')} MB/s`,
          },
          {
            name: `upload ${label}: service RSS growth (Postgres mode)`,
            value: mebibytes(peakRss - idleRss),
            unit: 'MiB',
            note: `idle ${mebibytes(idleRss)} MiB, peak ${mebibytes(peakRss)} MiB`,
            target: '< 50 MB',
          },
        ];
        if (caddy) {
          const caddyRate = median(rates.caddy);
          const bareCaddyRate = median(rates.bareCaddy);
          results.push({
            name: `upload ${label} through Caddy (http), no chunk limit`,
            value: caddyRate,
            unit: 'MB/s',
            baseline: { name: 'bare node:http body -> file, behind the same Caddyfile', value: bareCaddyRate },
            ratio: ratio(caddyRate, bareCaddyRate),
            target: '>= 0.9x',
            note: `runs ${rates.caddy.join(', ')} MB/s, bare behind Caddy ${rates.bareCaddy.join(', ')}; ${ratio(caddyRate, wholeRate)}x of the service direct`,
          });
        } else context.log('caddy is not installed (apt-get install caddy): the proxy figure is skipped');
        return results;
      } finally {
        await bareCaddy?.stop();
        await caddy?.stop();
        await service.stop();
        await bare.stop();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
