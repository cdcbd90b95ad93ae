// Drives the web dashboard the way a person does: opens it with a token, adds
// files through the Dashboard's file input, presses its buttons, and reads
// what the page shows. Server-side facts come from the database, not the page.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { UploadView } from '../../../server/uploads/upload-view.ts';
import { apiRequest } from '../../support/api-client.ts';
import type { TestService } from '../../support/test-service.ts';

export async function openDashboard(context: BrowserContext, baseUrl: string, token: string | null): Promise<Page> {
  const page = await context.newPage();
  await page.goto(token ? `${baseUrl}/#token=${token}` : `${baseUrl}/`);
  if (token) await page.locator('body[data-ready="true"]').waitFor();
  return page;
}

export async function addFiles(page: Page, paths: string[]): Promise<void> {
  const input = page.locator('input.uppy-Dashboard-input[name="files[]"]:not([webkitdirectory])');
  // With files in the queue, the picker (and its input) appears behind "Add more".
  if ((await input.count()) === 0) await page.getByRole('button', { name: 'Add more files' }).click();
  await input.setInputFiles(paths);
}

/** The Dashboard's "Upload N files" button. */
export async function pressUpload(page: Page): Promise<void> {
  await page.locator('.uppy-StatusBar-actionBtn--upload').click();
}

/** The import panel's entry of an upload. */
export function importEntry(page: Page, uploadId: string) {
  return page.locator(`li.import[data-upload-id="${uploadId}"]`);
}

/** Uploads the server registered under this file name (newest first). */
export async function uploadsNamed(harness: TestService, filename: string) {
  return harness.service.database.db
    .selectFrom('uploads')
    .select(['id', 'state', 'offset', 'created_at'])
    .where('filename', '=', filename)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Waits until the server registered an upload of this file name; resolves with its id. */
export async function waitForUploadNamed(harness: TestService, filename: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [upload] = await uploadsNamed(harness, filename);
    if (upload) return upload.id;
    if (Date.now() > deadline) throw new Error(`no upload of ${filename} reached the server`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function serverOffset(harness: TestService, token: string, id: string): Promise<number> {
  const { status, body } = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${id}`, token);
  if (status !== 200) throw new Error(`GET /api/uploads/${id} answered ${status}`);
  return body.offset;
}

/** Polls the server until the upload's stored bytes reach `bytes`. */
export async function waitForOffset(harness: TestService, token: string, id: string, bytes: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const offset = await serverOffset(harness, token, id);
    if (offset >= bytes) return offset;
    if (Date.now() > deadline) throw new Error(`upload ${id} stuck at ${offset} bytes (waiting for ${bytes})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Caps the page's upload bandwidth (DevTools network emulation), so that
 * "midway" lasts long enough to act on over loopback.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  await session.send('Network.enable');
  await session.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
  return session;
}
