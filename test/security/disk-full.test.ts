// A full disk during an upload: the PATCH that hits ENOSPC gets a clear 507,
// the bytes already stored stay valid, the server keeps serving, and once
// space is freed the upload resumes from its offset and completes intact.
// UPLOAD_DIR is a 4 MiB tmpfs (mounting needs root, which CI has).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../support/api-client.ts';
import { createUpload, head, patch } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';

const MiB = 1024 * 1024;

function canMount(): boolean {
  if (process.getuid?.() === 0) return true;
  const message = 'mounting a tmpfs needs root: the disk-full suite is SKIPPED';
  if (process.env.CI === 'true') throw new Error(`${message.split(':')[0]}, and CI requires it`);
  process.stderr.write(`\n${message}\n`);
  return false;
}

describe.skipIf(databaseUnavailable() || !canMount())(`disk full during an upload (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let mountPoint: string;

  beforeAll(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'csvup-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
    harness = await startTestService({ env: { UPLOAD_DIR: mountPoint, WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('ada');
  });
  afterAll(async () => {
    await harness?.stop();
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('answers 507 on ENOSPC, keeps the stored bytes, and completes once space returns', async () => {
    const content = Buffer.from(`id,blob\n1,${randomBytes(1536 * 1024).toString('hex')}\n`); // ~3 MiB
    const created = await createUpload(harness.baseUrl, token, content.length);
    expect(created.status).toBe(201);
    // Something else fills the disk after the upload was admitted.
    const ballast = join(mountPoint, 'ballast');
    await writeFile(ballast, Buffer.alloc(2 * MiB));

    const full = await patch(created.url, token, 0, content);
    expect(full.status).toBe(507);
    expect(full.body).toMatch(/disk|space|storage/i);
    const kept = Number((await head(created.url, token)).headers['upload-offset']);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(content.length);
    expect((await apiRequest(harness.baseUrl, '/healthz', null)).status).toBe(200);

    await rm(ballast);
    const rest = await patch(created.url, token, kept, content.subarray(kept));
    expect(rest.status).toBe(204);
    const stored = await readFile(harness.fileStore.filePath(created.url.split('/').pop() as string));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
  });
});
