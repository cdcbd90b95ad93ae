// Uppy in real Chromium with parallel uploads (WEB_PARALLEL_UPLOADS=4): the
// dashboard sends each file as partial uploads joined by a final one (tus
// concatenation); the file lands byte-identical and is imported once, and
// the partials neither show as imports nor stay behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, waitForUpload } from '../support/api-client.ts';
import { sha256File, writeCsvFixture } from '../support/csv-fixtures.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { type BrowserSession, chromiumUnavailable, launchChromium } from './support/chromium.ts';
import { addFiles, openDashboard, pressUpload, waitForUploadNamed } from './support/dashboard-page.ts';
import { buildWebOnce, WEB_ROOT } from './support/web-build.ts';

const MiB = 1024 * 1024;

describe.skipIf(databaseUnavailable() || chromiumUnavailable())(
  `web dashboard, parallel uploads (${databaseKind})`,
  () => {
    let harness: TestService;
    let browser: BrowserSession;
    let workDir: string;
    let token: string;

    beforeAll(async () => {
      await buildWebOnce();
      harness = await startTestService({
        webRoot: WEB_ROOT,
        env: { WEB_PARALLEL_UPLOADS: '4', CHUNK_SIZE: String(MiB) },
      });
      token = await harness.tokenFor('petra');
      workDir = await mkdtemp(join(tmpdir(), 'csvup-browser-parallel-'));
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await harness?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('sends one file as four partials and a final, byte-identical and imported once', async () => {
      const path = join(workDir, 'parallel.csv');
      const rows = await writeCsvFixture(path, 6 * MiB);
      const page = await openDashboard(browser.context, harness.baseUrl, token);
      await addFiles(page, [path]);
      await pressUpload(page);

      const id = await waitForUploadNamed(harness, 'parallel.csv', 60_000);
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished, { timeoutMs: 120_000 });
      expect(upload.job?.state).toBe('succeeded');
      expect(upload.job?.result?.rows).toBe(rows);
      expect(await sha256File(harness.fileStore.filePath(id))).toBe(await sha256File(path));

      const { db } = harness.service.database;
      const final = await db.selectFrom('uploads').select('concat_role').where('id', '=', id).executeTakeFirstOrThrow();
      expect(final.concat_role).toBe('final');
      // Four partials were created, assembled, then removed; only the final is an import.
      const partials = await db.selectFrom('uploads').select('id').where('concat_role', '=', 'partial').execute();
      expect(partials).toEqual([]);
      const created = await apiRequest<string>(harness.baseUrl, '/metrics', null);
      expect(created.body).toMatch(/^csvup_uploads_created_total 5$/m);
      const list = await apiRequest<{ uploads: UploadView[] }>(harness.baseUrl, '/api/uploads', token);
      expect(list.body.uploads.map((u) => u.id)).toEqual([id]);
      const jobs = await db.selectFrom('jobs').select('id').execute();
      expect(jobs).toHaveLength(1);
    });
  },
);
