// The dashboard in real Chromium: several files at once arrive byte-identical
// and their imports show up as succeeded with the right row counts; files the
// service would refuse are refused in the browser before a byte is sent.
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../../server/uploads/upload-view.ts';
import { apiRequest } from '../support/api-client.ts';
import { sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { type BrowserSession, chromiumUnavailable, launchChromium } from './support/chromium.ts';
import {
  addFiles,
  importEntry,
  openDashboard,
  pressUpload,
  throttleUploads,
  uploadsNamed,
  waitForUploadNamed,
} from './support/dashboard-page.ts';
import { buildWebOnce, WEB_ROOT } from './support/web-build.ts';

const MiB = 1024 * 1024;
const OUTPUT = join(process.cwd(), 'test-output');

describe.skipIf(databaseUnavailable() || chromiumUnavailable())(`web dashboard uploads (${databaseKind})`, () => {
  let harness: TestService;
  let browser: BrowserSession;
  let workDir: string;
  let token: string;
  let page: Page;
  /** The files of the three-file test, reused by later tests. */
  const sent = new Map<string, { path: string; rows: number; sha256: string }>();

  beforeAll(async () => {
    await buildWebOnce();
    harness = await startTestService({
      webRoot: WEB_ROOT,
      env: { CHUNK_SIZE: String(MiB), MAX_FILE_SIZE: String(8 * MiB) },
    });
    token = await harness.tokenFor('alice');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-browser-'));
    await mkdir(OUTPUT, { recursive: true });
    browser = await launchChromium();
    page = await openDashboard(browser.context, harness.baseUrl, token);
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('takes the token from the fragment, keeps it and removes it from the address', async () => {
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => localStorage.getItem('csv-upload:token'))).toBe(token);
    await expect.poll(() => page.locator('#imports-status').textContent()).toBe('No uploads yet.');
  });

  it('uploads three files at once, byte-identical, and shows their imports succeeded with row counts', async () => {
    const files = [
      { name: 'north.csv', bytes: 3 * MiB },
      { name: 'south.csv', bytes: 2 * MiB },
      { name: 'east.csv', bytes: 200 * 1024 },
    ];
    const fixtures = await Promise.all(
      files.map(async (file) => {
        const path = join(workDir, file.name);
        return { ...file, path, rows: await writeCsvFixture(path, file.bytes), sha256: '' };
      }),
    );
    for (const fixture of fixtures) fixture.sha256 = await sha256File(fixture.path);
    for (const fixture of fixtures) sent.set(fixture.name, fixture);

    await addFiles(
      page,
      fixtures.map((f) => f.path),
    );
    // Slow enough to catch the dashboard mid-upload for the screenshot.
    const throttle = await throttleUploads(page, 2 * MiB);
    await pressUpload(page);
    await waitForUploadNamed(harness, 'north.csv');
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(OUTPUT, `dashboard-mid-upload-${databaseKind}.png`), fullPage: true });
    await throttle.detach();

    for (const fixture of fixtures) {
      const id = await waitForUploadNamed(harness, fixture.name);
      const entry = importEntry(page, id);
      await expect.poll(() => entry.getAttribute('data-state'), { timeout: 60_000 }).toBe('succeeded');
      expect(await entry.getAttribute('data-rows')).toBe(String(fixture.rows));
      await expect
        .poll(() => entry.locator('.import-result').textContent())
        .toMatch(new RegExp(`Imported ${fixture.rows.toLocaleString('en-US')} rows into imports\\.\\w+, 0 rejected`));
      expect(await sha256File(harness.fileStore.filePath(id))).toBe(fixture.sha256);
      expect(await uploadsNamed(harness, fixture.name)).toHaveLength(1);
    }

    // The rows table shows the first page of rows as imported.
    const northId = (await uploadsNamed(harness, 'north.csv'))[0]?.id as string;
    const preview = importEntry(page, northId).locator('details.import-preview');
    await preview.locator('summary').click();
    await expect.poll(() => preview.locator('.rows-imported tbody tr').count()).toBe(100);
    expect(await preview.locator('.rows-imported thead th').allTextContents()).toEqual([
      '#',
      'id',
      'name',
      'comment',
      'amount',
      'zip',
    ]);
    expect(await preview.locator('.rows-imported tbody tr').first().locator('td').allTextContents()).toEqual([
      '1',
      '1',
      'name 1',
      'plain text 1',
      '1.25',
      '00001',
    ]);
    await page.screenshot({ path: join(OUTPUT, `import-panel-${databaseKind}.png`), fullPage: true });
  });

  it('refuses a file over the size limit and a non-CSV file in the browser, with the reason shown', async () => {
    const big = join(workDir, 'too-big.csv');
    await writeFile(big, '');
    await truncate(big, 9 * MiB); // sparse: the browser only looks at its size
    const png = join(workDir, 'chart.png');
    await writeFile(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));

    await addFiles(page, [big]);
    await expect
      .poll(() => page.locator('#upload-notices').textContent())
      .toMatch(/too-big\.csv exceeds maximum allowed size of 8 MB/);
    await addFiles(page, [png]);
    await expect
      .poll(() => page.locator('#upload-notices').textContent())
      .toContain('You can only upload: .csv, .tsv, .tab, .txt');
    expect(await page.locator('.uppy-Dashboard-Item').filter({ hasText: 'too-big.csv' }).count()).toBe(0);
    expect(await page.locator('.uppy-Dashboard-Item').filter({ hasText: 'chart.png' }).count()).toBe(0);
    expect(await uploadsNamed(harness, 'too-big.csv')).toHaveLength(0);
    expect(await uploadsNamed(harness, 'chart.png')).toHaveLength(0);
  });

  it('sends the same file again as a new upload once the first one succeeded', async () => {
    const east = sent.get('east.csv');
    if (!east) throw new Error('the three-file test did not run');
    const [first] = await uploadsNamed(harness, 'east.csv');
    await addFiles(page, [east.path]);
    await pressUpload(page);
    await expect.poll(async () => (await uploadsNamed(harness, 'east.csv')).length, { timeout: 30_000 }).toBe(2);
    const [second] = await uploadsNamed(harness, 'east.csv');
    expect(second?.id).not.toBe(first?.id);
    const entry = importEntry(page, second?.id as string);
    await expect.poll(() => entry.getAttribute('data-state'), { timeout: 60_000 }).toBe('succeeded');
    expect(await entry.getAttribute('data-rows')).toBe(String(east.rows));
    expect(await sha256File(harness.fileStore.filePath(second?.id as string))).toBe(east.sha256);
  });

  it('sends the import options of the file card as tus metadata, and refuses a mapping that is not JSON', async () => {
    const path = join(workDir, 'semi.csv');
    await writeFile(path, 'id;name\r\n1;one\r\n2;two\r\n');
    await addFiles(page, [path]);
    const editCard = async (edit: (card: ReturnType<Page['locator']>) => Promise<void>) => {
      await page.getByRole('button', { name: 'Edit file semi.csv' }).click();
      const card = page.locator('.uppy-Dashboard-FileCard');
      await edit(card);
      await card.getByRole('button', { name: 'Save changes' }).click();
    };
    await editCard(async (card) => {
      await card.getByLabel('Delimiter').selectOption(';');
      await card.getByLabel('First row').selectOption('true');
      await card.getByLabel('Quotes', { exact: true }).selectOption('"');
      await card.getByLabel('Quote inside quotes').selectOption('\\');
      await card.getByLabel('Encoding').fill('shift_jis');
      await card.getByLabel('Column mapping (JSON)').fill('{oops');
    });
    await pressUpload(page);
    await expect
      .poll(() => page.locator('#upload-notices').textContent())
      .toContain('The column mapping of semi.csv is not valid JSON.');
    expect(await uploadsNamed(harness, 'semi.csv')).toHaveLength(0);

    await editCard((card) => card.getByLabel('Column mapping (JSON)').fill(''));
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'semi.csv');
    const upload = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${id}`, token);
    expect(upload.body.metadata).toEqual({
      filename: 'semi.csv',
      filetype: 'text/csv',
      name: 'semi.csv',
      type: 'text/csv',
      delimiter: ';',
      header: 'true',
      quote: '"',
      escape: '\\',
      encoding: 'shift_jis',
    });
  });

  it('shows the warnings of an import that looks wrong', async () => {
    const path = join(workDir, 'one-column.csv');
    await writeFile(path, 'name age\r\nann 3\r\nbob 4\r\n');
    await addFiles(page, [path]);
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'one-column.csv');
    const entry = importEntry(page, id);
    await expect.poll(() => entry.getAttribute('data-state'), { timeout: 60_000 }).toBe('succeeded');
    const warning = entry
      .getByRole('list', { name: 'Warnings about the import of one-column.csv' })
      .getByRole('listitem');
    await expect.poll(() => warning.textContent()).toMatch(/Everything is in one column/);
    expect(await warning.getAttribute('data-code')).toBe('ONE_COLUMN');
  });

  it('retries a failed import and deletes an upload from the import panel', async () => {
    const path = join(workDir, 'broken.csv');
    // The open quote comes after the 64 KiB the sniffer reads, so quotes are taken as quotes and the import fails there.
    const padding = Array.from({ length: 8000 }, (_, n) => `${n},row ${n}\r\n`).join('');
    await writeFile(path, `a,b\r\n${padding}"never closed,3\r\n4,5\r\n`);
    await addFiles(page, [path]);
    await pressUpload(page);
    const id = await waitForUploadNamed(harness, 'broken.csv');
    const entry = importEntry(page, id);
    await expect.poll(() => entry.getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');
    await expect.poll(() => entry.locator('.import-result').textContent()).toContain('Unterminated quoted field');

    const retried = page.waitForResponse((r) => r.url().endsWith(`/api/uploads/${id}/retry`));
    await entry.getByRole('button', { name: 'Retry broken.csv' }).click();
    expect((await retried).status()).toBe(200);
    await expect.poll(() => entry.getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');

    page.once('dialog', (dialog) => void dialog.accept());
    await entry.getByRole('button', { name: 'Delete broken.csv' }).click();
    await expect.poll(() => entry.count()).toBe(0);
    expect((await apiRequest(harness.baseUrl, `/api/uploads/${id}`, token)).status).toBe(404);
  });

  it('is readable at 360 px and reachable by keyboard', async () => {
    await page.setViewportSize({ width: 360, height: 900 });
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('li.import').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(OUTPUT, `dashboard-360px-${databaseKind}.png`), fullPage: true });

    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.add(
        await page.evaluate(
          () => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? '',
        ),
      );
    }
    expect(reached).toContain('Change token');
    expect(reached).toContain('Refresh');
    expect([...reached].some((name) => /^Delete /.test(name))).toBe(true);
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('asks for a token when the service refuses the one it has, and carries on with the new one', async () => {
    const other = await browser.context.newPage();
    await other.goto(`${harness.baseUrl}/#token=cut_this-token-does-not-exist`);
    await other.locator('#token-section').waitFor();
    expect(await other.locator('#token-reason').textContent()).toContain('refused');
    await other.getByLabel('Token', { exact: true }).fill(token);
    await other.getByRole('button', { name: 'Use this token' }).click();
    await other.locator('body[data-ready="true"]').waitFor();
    expect(await other.locator('#token-section').isHidden()).toBe(true);
    expect(await other.locator('li.import').count()).toBeGreaterThan(0);
    await other.close();
  });
});
