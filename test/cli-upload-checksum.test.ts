// `pnpm cli upload` with tus checksums, seen from the server's side: an HTTP
// proxy between the CLI process and the service records each PATCH's
// Upload-Checksum next to the sha256 of the bytes it carried, damages chosen
// chunks (460, resent; or, every time, a clear failure), and can hide the
// checksum extension, as an older server would.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File, writeCsvFixture } from './support/csv-fixtures.ts';
import {
  type ProxiedRequest,
  startTusProxy,
  type TusProxy,
  type TusProxyOptions,
} from './support/recording-tus-proxy.ts';
import { runToEnd } from './support/service-process.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { jsonLines, storedSha256 } from './support/upload-checks.ts';

const CLI = 'server/cli/main.ts';
const CHUNK = 64 * 1024;

describe.skipIf(databaseUnavailable())(`pnpm cli upload with checksums (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let work: string;
  const proxies: TusProxy[] = [];

  beforeAll(async () => {
    harness = await startTestService();
    token = await harness.tokenFor('checksummer');
    work = await mkdtemp(join(tmpdir(), 'csvup-cli-checksum-'));
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await harness?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function proxy(options: Omit<TusProxyOptions, 'target'> = {}): Promise<TusProxy> {
    const started = await startTusProxy({ target: harness.baseUrl, ...options });
    proxies.push(started);
    return started;
  }

  /** A fresh CSV of ~`bytes`, and its data row count. */
  async function csv(name: string, bytes: number): Promise<{ file: string; rows: number }> {
    const file = join(work, name);
    return { file, rows: await writeCsvFixture(file, bytes) };
  }

  /** The CLI as a user runs it, through the proxy, 64 KiB a PATCH. */
  function upload(via: TusProxy, files: string[], ...extra: string[]) {
    const args = ['upload', ...files, '--server', via.baseUrl, '--token', token, '--chunk-size', '64k', '--json'];
    return runToEnd(CLI, [...args, ...extra], {
      UPLOAD_CACHE_DIR: join(work, 'cache'),
      UPLOAD_PROGRESS_INTERVAL_MS: '60000',
    });
  }

  /** Each PATCH the service got said `sha256 <digest of exactly its own body>`. */
  function expectChecksummed(patches: ProxiedRequest[]): void {
    for (const patch of patches) {
      expect(patch.bodyLength).toBeGreaterThan(0);
      expect(patch.uploadChecksum).toBe(`sha256 ${patch.bodySha256}`);
    }
  }

  it('sends Upload-Checksum (sha256) on every PATCH, asking the server once per run', async () => {
    const via = await proxy();
    const one = await csv('one.csv', 5 * CHUNK + 1000);
    const two = await csv('two.csv', 3 * CHUNK - 500);
    const run = await upload(via, [one.file, two.file], '--parallel', '2');
    expect(run.stderr).not.toMatch(/mismatch|retry/);
    expect(run.code).toBe(0);

    expect(via.requests.filter((r) => r.method === 'OPTIONS')).toHaveLength(1);
    const patches = via.patches();
    const chunks = async (file: string) => Math.ceil((await stat(file)).size / CHUNK);
    expect(patches).toHaveLength((await chunks(one.file)) + (await chunks(two.file)));
    expectChecksummed(patches);
    expect(patches.every((patch) => patch.status === 204)).toBe(true);

    // --json prints each file's line as it finishes: in any order.
    const results = jsonLines(run.stdout);
    expect(results).toHaveLength(2);
    for (const { file, rows } of [one, two]) {
      const result = results.find((r) => r.file === file);
      expect(result).toMatchObject({ status: 'imported', checksum: 'sha256', rowsImported: rows });
      expect(await storedSha256(harness.baseUrl, token, result?.id as string)).toBe(await sha256File(file));
    }
  });

  it('resends a chunk damaged on the way (460) and ends byte-identical and imported', async () => {
    const via = await proxy({ corruptPatch: (n) => n === 2 });
    const { file, rows } = await csv('damaged-once.csv', 4 * CHUNK);
    const run = await upload(via, [file]);
    expect(run.code).toBe(0);

    const patches = via.patches();
    expect(patches.map((p) => [p.uploadOffset, p.status, p.corrupted])).toEqual([
      ['0', 204, false],
      [String(CHUNK), 460, true],
      [String(CHUNK), 204, false],
      [String(2 * CHUNK), 204, false],
      [String(3 * CHUNK), 204, false],
      [String(4 * CHUNK), 204, false],
    ]);
    // The damaged PATCH still carried the digest of the bytes the CLI sent.
    expectChecksummed(patches);
    expect(run.stderr).toContain(
      `damaged-once.csv: checksum mismatch at byte ${CHUNK} (460, nothing stored); resending the chunk (1/3)`,
    );
    const [result] = jsonLines(run.stdout);
    expect(result).toMatchObject({ status: 'imported', checksum: 'sha256', rowsImported: rows, error: null });
    expect(await storedSha256(harness.baseUrl, token, result?.id as string)).toBe(await sha256File(file));
  });

  it('gives up on a chunk damaged every time, after 3 resends, saying why (exit 1)', async () => {
    const via = await proxy({ corruptPatch: (n) => n >= 2 });
    const { file } = await csv('damaged-always.csv', 3 * CHUNK);
    const run = await upload(via, [file]);
    expect(run.code).toBe(1);

    expect(via.patches().map((p) => [p.uploadOffset, p.status])).toEqual([
      ['0', 204],
      ...Array.from({ length: 4 }, () => [String(CHUNK), 460]),
    ]);
    const [result, ...rest] = jsonLines(run.stdout);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ file, status: 'upload-failed', checksum: 'sha256' });
    expect(result?.error).toBe(
      `checksum mismatch: the server received different bytes than were sent (sha256) for the chunk at byte ${CHUNK}, ` +
        '4 times in a row; something on the way (a proxy, the network) or a change to the file while it was read is altering them',
    );
  });

  it('uploads without checksums from a server that does not offer them, or with --no-checksum', async () => {
    const older = await proxy({ hideChecksum: true });
    const first = await csv('older-server.csv', 2 * CHUNK + 10);
    const run = await upload(older, [first.file]);
    expect(run.code).toBe(0);
    expect(older.patches()).toHaveLength(3);
    expect(older.patches().map((p) => p.uploadChecksum)).toEqual([undefined, undefined, undefined]);
    const [result] = jsonLines(run.stdout);
    expect(result).toMatchObject({ status: 'imported', checksum: null, rowsImported: first.rows });
    expect(await storedSha256(harness.baseUrl, token, result?.id as string)).toBe(await sha256File(first.file));

    const current = await proxy();
    const second = await csv('turned-off.csv', 2 * CHUNK + 10);
    const off = await upload(current, [second.file], '--no-checksum');
    expect(off.code).toBe(0);
    // Not even asked: the OPTIONS discovery is skipped too.
    expect(current.requests.filter((r) => r.method === 'OPTIONS')).toEqual([]);
    expect(current.patches().map((p) => p.uploadChecksum)).toEqual([undefined, undefined, undefined]);
    expect(jsonLines(off.stdout)[0]).toMatchObject({ status: 'imported', checksum: null, rowsImported: second.rows });
  });
});
