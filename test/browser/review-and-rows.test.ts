// The review screen, the rows table and the progress chart in real Chromium:
// a file held for review is previewed, retyped, renamed and trimmed, and
// imported with those columns; the rows table pages through an import of
// 50,000 rows with the keyset API; the chart is drawn with the upload's and
// the import's figures; everything works at 375 px and from the keyboard.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { type BrowserSession, chromiumUnavailable, launchChromium } from './support/chromium.ts';
import {
  addFiles,
  importEntry,
  openDashboard,
  pressUpload,
  throttleUploads,
  waitForUploadNamed,
} from './support/dashboard-page.ts';
import { buildWebOnce, WEB_ROOT } from './support/web-build.ts';

const MiB = 1024 * 1024;
const OUTPUT = join(process.cwd(), 'test-output');
const BIG_ROWS = 50_000;

/** id,name,zip,joined: zips keep their zeros (so the service suggests text); line 5 has no number for a zip. */
const PEOPLE = [
  'id,name,zip,joined',
  '1,Ann,00042,2024-01-05',
  '2,Bob,01234,2024-02-10',
  '3,Cid,98765,2024-03-15',
  '4,Dee,n/a,2024-04-20',
  '5,Eve,00007,2024-05-25',
].join('\n');

describe.skipIf(databaseUnavailable() || chromiumUnavailable())(
  `review screen and rows table (${databaseKind})`,
  () => {
    let harness: TestService;
    let browser: BrowserSession;
    let workDir: string;
    let page: Page;

    beforeAll(async () => {
      await buildWebOnce();
      harness = await startTestService({ webRoot: WEB_ROOT, env: { CHUNK_SIZE: String(MiB) } });
      const token = await harness.tokenFor('vera');
      workDir = await mkdtemp(join(tmpdir(), 'csvup-review-'));
      await mkdir(OUTPUT, { recursive: true });
      browser = await launchChromium();
      page = await openDashboard(browser.context, harness.baseUrl, token);
    });
    afterAll(async () => {
      await browser?.close();
      await harness?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    const jobsOf = (id: string) =>
      harness.service.database.db.selectFrom('jobs').selectAll().where('upload_id', '=', id).execute();

    it('holds a file for review, re-reads it with another delimiter, imports it retyped, renamed and trimmed', async () => {
      const path = join(workDir, 'people.csv');
      await writeFile(path, PEOPLE);
      await page.getByLabel('Review each file before importing it').check();
      await addFiles(page, [path]);
      await pressUpload(page);
      const id = await waitForUploadNamed(harness, 'people.csv');
      const entry = importEntry(page, id);
      await expect.poll(() => entry.getAttribute('data-state'), { timeout: 30_000 }).toBe('awaiting-review');
      const review = entry.getByRole('region', { name: 'Review people.csv before import' });
      const found = review.locator('.review-found');
      await expect
        .poll(() => found.textContent())
        .toMatch(/Encoding utf-8 · delimiter comma .*a header row of 4 columns/);
      const previewTable = review.locator('.review-rows table');
      await expect
        .poll(() => previewTable.locator('thead th').allTextContents())
        .toEqual(['Line', 'id', 'name', 'zip', 'joined']);
      // Suggested types: zip stays text (its zeros), joined is a date.
      expect(await review.getByLabel('Type of column zip').inputValue()).toBe('text||');
      expect(await review.getByLabel('Type of column joined').inputValue()).toBe('date|YYYY-MM-DD|');
      expect(await previewTable.locator('tbody tr').first().locator('td').allTextContents()).toEqual([
        '2',
        '1',
        'Ann',
        '00042',
        '2024-01-05',
      ]);
      // Held: no job, however long the page looks at it.
      expect(await jobsOf(id)).toHaveLength(0);

      // Another delimiter: the preview is read again at once, with the columns it finds.
      await review.getByLabel('Delimiter').selectOption(';');
      await expect.poll(() => review.getAttribute('data-delimiter')).toBe(';');
      await expect
        .poll(() => previewTable.locator('thead th').allTextContents())
        .toEqual(['Line', 'id,name,zip,joined']);
      await review.getByLabel('Delimiter').selectOption('');
      await expect.poll(() => previewTable.locator('thead th').count()).toBe(5);

      await review.getByLabel('Type of column zip').selectOption('integer||');
      await review.getByLabel('Name of column name').fill('full_name');
      await review.getByLabel('Keep column joined').uncheck();
      await expect
        .poll(() => previewTable.locator('thead th').allTextContents())
        .toEqual(['Line', 'id', 'full_name', 'zip']);
      expect(await previewTable.locator('tbody tr').first().locator('td').allTextContents()).toEqual([
        '2',
        '1',
        'Ann',
        '42',
      ]);
      // "n/a" is no whole number: shown as a row the import would reject.
      const wouldReject = review.locator('.review-rejected tbody tr');
      await expect.poll(() => wouldReject.count()).toBe(1);
      expect(await wouldReject.first().locator('td').first().textContent()).toBe('5');
      await page.screenshot({ path: join(OUTPUT, `review-screen-${databaseKind}.png`), fullPage: true });

      // The Import button, from the keyboard.
      await review.getByRole('button', { name: 'Import people.csv' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => entry.getAttribute('data-state'), { timeout: 60_000 }).toBe('succeeded');
      expect(await review.isHidden()).toBe(true);
      expect(await jobsOf(id)).toHaveLength(1);

      const rows = entry.locator('details.import-preview');
      await expect.poll(() => rows.locator('summary').textContent()).toBe('Rows: 4 imported, 1 rejected');
      await rows.locator('summary').click();
      const table = rows.locator('.rows-imported table');
      await expect.poll(() => table.locator('thead th').allTextContents()).toEqual(['#', 'id', 'full_name', 'zip']);
      expect(await table.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['1', '1', 'Ann', '42']);
      expect(await table.locator('tbody tr').nth(2).locator('td').allTextContents()).toEqual([
        '3',
        '3',
        'Cid',
        '98765',
      ]);
      const rejected = rows.locator('.rows-rejected tbody tr');
      await expect.poll(() => rejected.count()).toBe(1);
      const [line, column, message] = await rejected.first().locator('td').allTextContents();
      expect([line, column]).toEqual(['5', 'zip']);
      expect(message).toMatch(/n\/a/);
      await page.screenshot({ path: join(OUTPUT, `review-imported-rows-${databaseKind}.png`), fullPage: true });

      const download = page.waitForEvent('download');
      await rows.getByRole('button', { name: 'Download the error report (CSV)' }).click();
      const report = await readFile((await (await download).path()) as string, 'utf8');
      expect(report.split('\r\n')[0]).toBe('line,record,column,message,raw');
      expect(report).toContain('4,Dee,n/a,2024-04-20');
    });

    it('pages through an import of 50,000 rows and charts the upload speed and the import rate', async () => {
      await page.getByLabel('Review each file before importing it').uncheck();
      const path = join(workDir, 'big.csv');
      const lines = ['n,label,amount'];
      for (let n = 1; n <= BIG_ROWS; n++) lines.push(`${n},row ${n},${(n % 1000) / 4}`);
      await writeFile(path, `${lines.join('\n')}\n`);
      await addFiles(page, [path]);
      // Slow enough that the chart has several samples of the upload.
      const throttle = await throttleUploads(page, 256 * 1024);
      await pressUpload(page);
      const id = await waitForUploadNamed(harness, 'big.csv');
      const entry = importEntry(page, id);
      await expect.poll(() => entry.getAttribute('data-state'), { timeout: 120_000 }).toBe('succeeded');
      await throttle.detach();

      const chart = entry.locator('figure.progress-chart');
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
      expect(await chart.getByRole('img', { name: 'Chart of upload speed and import rate of big.csv' }).count()).toBe(
        1,
      );
      // The upload series (#0969da) and the import series (#1a7f37) left pixels of their colours on the canvas.
      const coloured = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
        const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
          0,
          0,
          canvas.width,
          canvas.height,
        );
        const near = (i: number, [r, g, b]: number[]) =>
          Math.abs(data[i] - r) < 40 &&
          Math.abs(data[i + 1] - g) < 40 &&
          Math.abs(data[i + 2] - b) < 40 &&
          data[i + 3] > 100;
        let upload = 0;
        let importing = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (near(i, [9, 105, 218])) upload++;
          if (near(i, [26, 127, 55])) importing++;
        }
        return { upload, importing };
      });
      expect(coloured.upload).toBeGreaterThan(20);
      // The import of these 50,000 rows is one batch and takes a fraction of a second now: its
      // series is one or two samples, a short stroke (19 pixels once), but never none.
      expect(coloured.importing).toBeGreaterThan(5);
      await chart.screenshot({ path: join(OUTPUT, `progress-chart-${databaseKind}.png`) });

      const rows = entry.locator('details.import-preview');
      await rows.locator('summary').click();
      const table = rows.locator('.rows-imported table');
      const firstCell = () => table.locator('tbody tr').first().locator('td').first().textContent();
      await expect.poll(firstCell).toBe('1');
      const next = rows.getByRole('button', { name: 'Next page of rows' });
      const previous = rows.getByRole('button', { name: 'Previous page of rows' });
      expect(await previous.isDisabled()).toBe(true);
      await next.click();
      await expect.poll(firstCell).toBe('101');
      await previous.click();
      await expect.poll(firstCell).toBe('1');

      // 1000 a page: every row of the import, page by page, to the last one.
      await rows.getByLabel('Rows per page').selectOption('1000');
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1000);
      const pager = rows.locator('.rows-imported');
      for (let pageNumber = 2; pageNumber <= BIG_ROWS / 1000; pageNumber++) {
        await next.click();
        await expect.poll(() => pager.getAttribute('data-page')).toBe(String(pageNumber));
        expect(await firstCell()).toBe(String((pageNumber - 1) * 1000 + 1));
      }
      const last = table.locator('tbody tr').last().locator('td');
      expect(await last.allTextContents()).toEqual([String(BIG_ROWS), String(BIG_ROWS), `row ${BIG_ROWS}`, '0']);
      await expect.poll(() => next.isDisabled()).toBe(true);
      await expect.poll(() => rows.locator('.pager-status').first().textContent()).toBe('rows 49,001–50,000, page 50');
    });

    it('works at 375 px and from the keyboard, the review screen included', async () => {
      const path = join(workDir, 'narrow.csv');
      await writeFile(path, PEOPLE);
      await page.getByLabel('Review each file before importing it').check();
      await addFiles(page, [path]);
      await pressUpload(page);
      const id = await waitForUploadNamed(harness, 'narrow.csv');
      const entry = importEntry(page, id);
      await expect.poll(() => entry.getAttribute('data-state'), { timeout: 30_000 }).toBe('awaiting-review');
      await page.setViewportSize({ width: 375, height: 800 });
      await expect.poll(() => entry.locator('.review-rows tbody tr').count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await entry.screenshot({ path: join(OUTPUT, `review-375px-${databaseKind}.png`) });

      // Tab from the review switch reaches every control of the review screen.
      await page.getByLabel('Review each file before importing it').focus();
      const reached = new Set<string>();
      for (let i = 0; i < 120 && !reached.has('Import narrow.csv'); i++) {
        await page.keyboard.press('Tab');
        reached.add(
          await page.evaluate(() => {
            const active = document.activeElement as HTMLElement | null;
            const label = active?.closest('label')?.querySelector('span')?.textContent;
            return active?.getAttribute('aria-label') ?? label ?? active?.textContent?.trim() ?? '';
          }),
        );
      }
      for (const name of [
        'Delimiter',
        'Quotes',
        'First row',
        'Encoding',
        'Keep column zip',
        'Name of column zip',
        'Type of column zip',
        'Destination',
        'Import narrow.csv',
      ])
        expect(reached).toContain(name);
      // Space on the focused "Keep" checkbox drops the column, as a click does.
      await entry.getByLabel('Keep column joined').focus();
      await page.keyboard.press('Space');
      await expect
        .poll(() => entry.locator('.review-rows thead th').allTextContents())
        .toEqual(['Line', 'id', 'name', 'zip']);

      // The imported rows' table, opened from the keyboard, stays inside the page width.
      const big = (
        await harness.service.database.db
          .selectFrom('uploads')
          .select('id')
          .where('filename', '=', 'big.csv')
          .executeTakeFirstOrThrow()
      ).id;
      const details = importEntry(page, big).locator('details.import-preview');
      // Closed first (the paging test left it open), then opened with Enter on its summary.
      await details.evaluate((element: HTMLDetailsElement) => {
        element.open = false;
      });
      await details.locator('summary').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => details.evaluate((element: HTMLDetailsElement) => element.open)).toBe(true);
      await details.getByLabel('Rows per page').selectOption('100');
      await expect.poll(() => details.locator('.rows-imported tbody tr').count()).toBe(100);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await importEntry(page, big).screenshot({ path: join(OUTPUT, `rows-375px-${databaseKind}.png`) });
      await page.setViewportSize({ width: 1100, height: 900 });
    });
  },
);
