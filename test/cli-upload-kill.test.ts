// `pnpm cli upload` killed with SIGKILL mid-upload, then run again: it resumes
// at the server's offset (HEAD before the rerun, `resumedFrom` in its --json
// line) and the stored file ends byte-identical to the local one.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest } from './support/api-client.ts';
import { sha256File } from './support/csv-fixtures.ts';
import { head } from './support/raw-tus.ts';
import { runEntryPoint, runToEnd } from './support/service-process.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { hasCursorControl, jsonLines, storedSha256, writeBigCsv } from './support/upload-checks.ts';

const CLI = 'server/cli/main.ts';

// The import is not what this is about: no worker, so a 60 MiB import does not
// hold the in-process embedded database (and the event loop) while bytes are compared.
describe.skipIf(databaseUnavailable())(`pnpm cli upload killed mid-way (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let work: string;

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('uploader');
    work = await mkdtemp(join(tmpdir(), 'csvup-cli-kill-'));
  });
  afterAll(async () => {
    await harness?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('resumes from the server offset after the CLI is killed with SIGKILL, and ends byte-identical', async () => {
    const file = join(work, 'big.csv');
    await writeBigCsv(file, 60);
    const env = { UPLOAD_CACHE_DIR: join(work, 'cache-kill'), UPLOAD_PROGRESS_INTERVAL_MS: '500' };
    const args = [file, '--server', harness.baseUrl, '--token', token, '--chunk-size', '1M', '--json', '--no-wait'];
    const first = runEntryPoint(CLI, ['upload', ...args], env);

    // Kill once the server holds some but not all of the bytes. The listing counts the
    // bytes of a PATCH still arriving, which the server drops when the PATCH is cut off
    // (its checksum cannot be verified): past one chunk, the first PATCH was accepted.
    let upload: UploadView | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const listed = await apiRequest<{ uploads: UploadView[] }>(harness.baseUrl, '/api/uploads', token);
      upload = listed.body.uploads.find((u) => u.filename === 'big.csv');
      if (upload && upload.offset > 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(upload?.offset).toBeLessThan(upload?.size as number);
    await new Promise((r) => setTimeout(r, 300));
    const before = await head(`${harness.baseUrl}/files/${upload?.id}`, token);
    const offset = Number(before.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(upload?.size as number);

    const rerun = await runToEnd(CLI, ['upload', ...args], env);
    expect(rerun.code).toBe(0);
    const [result, ...rest] = jsonLines(rerun.stdout);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ id: upload?.id, status: 'uploaded', resumedFrom: offset, restarted: false });
    expect(rerun.stderr).toContain(`big.csv: resuming at byte ${offset} of ${upload?.size}`);
    expect(hasCursorControl(rerun.stderr)).toBe(false);
    expect(await storedSha256(harness.baseUrl, token, upload?.id as string)).toBe(await sha256File(file));
    // Done, so forgotten: a third run would be a new upload, not a resume.
    const store = JSON.parse(await readFile(join(env.UPLOAD_CACHE_DIR, 'uploads.json'), 'utf8'));
    expect(store.uploads).toEqual({});
  });
});
