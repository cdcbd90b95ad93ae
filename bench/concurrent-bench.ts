// Many uploads at once: N files sent concurrently by one tus-js-client process
// to the service (a child on PostgreSQL); all must complete. Aggregate MB/s
// against the same files sent one after another (a single stream), and the
// service's peak RSS while they run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeUploadFile } from './bench-files.ts';
import { MiB, mebibytes, rssBytes, sampleRss, startServiceProcess } from './bench-processes.ts';
import { type BenchContext, type BenchResult, median, ratio, withScratchDatabase } from './bench-support.ts';
import { clearDirectory, clientRate } from './upload-bench.ts';

export async function concurrentBench(context: BenchContext): Promise<BenchResult[]> {
  const count = context.quick ? 10 : 50;
  const size = context.quick ? 5 * MiB : 20 * MiB;
  const runs = context.quick ? 1 : 3;
  const dir = await mkdtemp(join(tmpdir(), 'csvup-bench-concurrent-'));
  const file = join(dir, 'upload.csv');
  await writeUploadFile(file, size);
  // The same file under many paths: tus-js-client in Node keeps no fingerprint store, so each is its own upload.
  const files = Array.from({ length: count }, () => file);
  try {
    return await withScratchDatabase(context.adminUrl, async (url) => {
      const service = await startServiceProcess({
        DATABASE_URL: url,
        DATA_DIR: join(dir, 'data'),
        WORKER_CONCURRENCY: '0',
      });
      const uploadDir = join(dir, 'data', 'uploads');
      try {
        await clientRate('tus', `${service.baseUrl}/files/`, [file]);
        await clearDirectory(uploadDir);
        const idleRss = rssBytes(service.pid);
        let peakRss = idleRss;
        const single: number[] = [];
        const parallel: number[] = [];
        for (let run = 0; run < runs; run++) {
          single.push(await clientRate('tus', `${service.baseUrl}/files/`, files, { concurrency: 1 }));
          await clearDirectory(uploadDir);
          const sampler = sampleRss(service.pid);
          // clientRate throws unless every upload completed.
          parallel.push(await clientRate('tus', `${service.baseUrl}/files/`, files, { concurrency: count }));
          peakRss = Math.max(peakRss, sampler.stop());
          await clearDirectory(uploadDir);
          context.log(
            `concurrent run ${run + 1}: ${count} at once ${parallel.at(-1)} MB/s, one by one ${single.at(-1)} MB/s`,
          );
        }
        const label = `${count} concurrent uploads of ${mebibytes(size)} MiB`;
        return [
          {
            name: `${label}: all completed, aggregate`,
            value: median(parallel),
            unit: 'MB/s',
            baseline: { name: 'the same files one at a time', value: median(single) },
            ratio: ratio(median(parallel), median(single)),
            target: '>= 0.8x',
          },
          {
            name: `${label}: service peak RSS (Postgres mode)`,
            value: mebibytes(peakRss),
            unit: 'MiB',
            note: `idle ${mebibytes(idleRss)} MiB`,
            target: '< 150 MB',
          },
        ];
      } finally {
        await service.stop();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
