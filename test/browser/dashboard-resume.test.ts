// Resumable uploads from the dashboard in real Chromium: pause and resume, a
// network drop the upload rides out by itself, a page reload after which the
// re-selected file continues at the server's offset, and cancel, which
// terminates the upload on the server. Every file must arrive byte-identical.

import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiRequest, waitForUpload } from '../support/api-client.ts';
import { sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { type BrowserSession, chromiumUnavailable, launchChromium } from './support/chromium.ts';
import {
  addFiles,
  openDashboard,
  pressUpload,
  serverOffset,
  throttleUploads,
  uploadsNamed,
  waitForOffset,
  waitForUploadNamed,
} from './support/dashboard-page.ts';
import { buildWebOnce, WEB_ROOT } from './support/web-build.ts';

const MiB = 1024 * 1024;
const OUTPUT = join(process.cwd(), 'test-output');
const LARGE = 52 * MiB;
/** Slow enough that "midway" lasts seconds over loopback. */
const UPLOAD_RATE = 16 * MiB;

// Embedded run only: with no import worker these tests never touch the database kind, and each
// moves 200 MB through Chromium; the Postgres run would repeat them at full cost for nothing.
// Runs in the embedded project only (see vitest.config.ts): no import worker is involved.
describe.skipIf(databaseUnavailable() || chromiumUnavailable())(`web dashboard resumes (${databaseKind})`, () => {
  let harness: TestService;
  let browser: BrowserSession;
  let workDir: string;
  let original: string;
  let originalSha256: string;
  let token: string;

  /** A copy of the large fixture under a name of its own (its own upload, its own fingerprint). */
  async function largeFile(name: string): Promise<string> {
    const path = join(workDir, name);
    await copyFile(original, path);
    return path;
  }

  async function finishedUpload(id: string) {
    const { upload } = await waitForUpload(harness.baseUrl, token, id, (u) => u.state !== 'uploading', {
      timeoutMs: 90_000,
    });
    return upload;
  }

  beforeAll(async () => {
    await buildWebOnce();
    // No worker: these tests are about the bytes, and imports would only compete for the CPU.
    harness = await startTestService({
      webRoot: WEB_ROOT,
      env: { CHUNK_SIZE: String(MiB), WORKER_CONCURRENCY: '0' },
    });
    token = await harness.tokenFor('bob');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-browser-resume-'));
    original = join(workDir, 'original.csv');
    await writeCsvFixture(original, LARGE);
    originalSha256 = await sha256File(original);
    await mkdir(OUTPUT, { recursive: true });
  });
  // A fresh profile per test: a file left unfinished by one test must not be restored into the next.
  beforeEach(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await browser?.close();
  });
  afterAll(async () => {
    await harness?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('pauses a large upload midway (the server offset stops growing) and completes it on resume', async () => {
    const path = await largeFile('paused.csv');
    const page = await openDashboard(browser.context, harness.baseUrl, token);
    await throttleUploads(page, UPLOAD_RATE);
    await addFiles(page, [path]);
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'paused.csv');
    await waitForOffset(harness, token, id, 10 * MiB);

    await page.getByRole('button', { name: 'Pause upload' }).click();
    await page.waitForTimeout(700);
    const paused = await serverOffset(harness, token, id);
    await page.waitForTimeout(1000);
    expect(await serverOffset(harness, token, id)).toBe(paused);
    expect(paused).toBeLessThan(LARGE);

    await page.getByRole('button', { name: 'Resume upload' }).click();
    await waitForOffset(harness, token, id, paused + 1);
    const upload = await finishedUpload(id);
    expect(upload.state).toBe('uploaded');
    expect(await sha256File(harness.fileStore.filePath(id))).toBe(originalSha256);
    expect(await uploadsNamed(harness, 'paused.csv')).toHaveLength(1);
    await page.locator('.uppy-StatusBar.is-complete').waitFor();
  });

  it('rides out a network drop of several seconds and completes by itself', async () => {
    const path = await largeFile('offline.csv');
    const page = await openDashboard(browser.context, harness.baseUrl, token);
    const throttle = await throttleUploads(page, UPLOAD_RATE);
    await addFiles(page, [path]);
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'offline.csv');
    await waitForOffset(harness, token, id, 10 * MiB);

    // The throttling session's conditions would override Playwright's: drop it, then cut the network.
    await throttle.detach();
    await browser.context.setOffline(true);
    await page.waitForTimeout(1000);
    const cut = await serverOffset(harness, token, id);
    await page.waitForTimeout(5000);
    expect(await serverOffset(harness, token, id)).toBe(cut);
    await browser.context.setOffline(false);

    const upload = await finishedUpload(id);
    expect(upload.state).toBe('uploaded');
    expect(await sha256File(harness.fileStore.filePath(id))).toBe(originalSha256);
    expect(await uploadsNamed(harness, 'offline.csv')).toHaveLength(1);
  });

  it('after a reload midway, the re-selected file resumes at the server offset instead of starting over', async () => {
    const path = await largeFile('reloaded.csv');
    const page = await openDashboard(browser.context, harness.baseUrl, token);
    await throttleUploads(page, UPLOAD_RATE);
    await addFiles(page, [path]);
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'reloaded.csv');
    await waitForOffset(harness, token, id, 10 * MiB);

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    const atReload = await serverOffset(harness, token, id);
    await page.screenshot({ path: join(OUTPUT, `dashboard-restored-${databaseKind}.png`), fullPage: true });
    const patchOffsets: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patchOffsets.push(Number(request.headers()['upload-offset']));
    });
    // Golden Retriever restored the queue without the 52 MB blob: the person picks the file again.
    await addFiles(page, [path]);
    await page.locator('.uppy-StatusBar-actionBtn--upload').click();

    const upload = await finishedUpload(id);
    expect(upload.state).toBe('uploaded');
    expect(patchOffsets.length).toBeGreaterThan(0);
    expect(Math.min(...patchOffsets)).toBeGreaterThanOrEqual(atReload);
    expect(await uploadsNamed(harness, 'reloaded.csv')).toHaveLength(1);
    expect(await sha256File(harness.fileStore.filePath(id))).toBe(originalSha256);
  });

  it('cancel terminates the upload on the server', async () => {
    const path = await largeFile('cancelled.csv');
    const page = await openDashboard(browser.context, harness.baseUrl, token);
    await throttleUploads(page, UPLOAD_RATE);
    await addFiles(page, [path]);
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'cancelled.csv');
    await waitForOffset(harness, token, id, 5 * MiB);

    await page.locator('.uppy-StatusBar-actionCircleBtn[title="Cancel"]').click();
    await expect.poll(() => existsSync(harness.fileStore.filePath(id)), { timeout: 10_000 }).toBe(false);
    const head = await apiRequest(harness.baseUrl, `/files/${id}`, token, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect([404, 410]).toContain(head.status);
  });
});
