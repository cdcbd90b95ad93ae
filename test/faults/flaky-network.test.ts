// Fault: a network that cuts connections at random offsets (every 1-4 MiB of
// client bytes) and sometimes stalls for 1.5 s. A TCP proxy between
// tus-js-client and the service does it; every upload must still complete
// byte-identical, resuming from the server's offset after each cut.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosProxy, seededRandom, startChaosProxy } from '../support/chaos-proxy.ts';
import { sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { tusUpload } from '../support/tus-client.ts';

const MiB = 1024 * 1024;
const SEED = Number(process.env.FAULT_SEED ?? 20261129);

describe.skipIf(databaseUnavailable())(`fault: connections cut and stalled mid-upload (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let proxy: ChaosProxy;
  let work: string;

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('flaky');
    proxy = await startChaosProxy({
      targetPort: Number(new URL(harness.baseUrl).port),
      cutAfterBytes: [1 * MiB, 4 * MiB],
      stallChance: 0.3,
      stallMs: 1500,
      random: seededRandom(SEED),
    });
    work = await mkdtemp(join(tmpdir(), 'csvup-fault-net-'));
  });
  afterAll(async () => {
    await proxy?.close();
    await harness?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('completes three concurrent uploads byte-identical through cuts and stalls', async () => {
    const files = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const path = join(work, `flaky-${i}.csv`);
        await writeCsvFixture(path, 12 * MiB + i * 4099);
        return path;
      }),
    );
    const results = await Promise.all(
      files.map((path) =>
        tusUpload({
          endpoint: `http://127.0.0.1:${proxy.port}/files/`,
          token,
          path,
          retryDelays: [0, 100, 300, 500, 1000, 1000, 2000],
        }),
      ),
    );
    const { connections, cuts, stalls } = proxy.stats;
    process.stdout.write(
      `[fault] injected: ${cuts} connection cuts (every 1-4 MiB, seed ${SEED}) and ${stalls} stalls of 1.5 s over ${connections} connections\n`,
    );
    expect(cuts).toBeGreaterThanOrEqual(6);
    for (const [i, result] of results.entries()) {
      const id = new URL(result.url).pathname.split('/').pop() as string;
      const stored = await sha256File(harness.fileStore.filePath(id));
      expect(stored).toBe(await sha256File(files[i] as string));
    }
    process.stdout.write(`[fault] verified: ${results.length} uploads stored byte-identical (sha256)\n`);
  });
});
