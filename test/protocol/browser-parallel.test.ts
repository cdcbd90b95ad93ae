// Parallel uploads from a real browser: tus-js-client's browser build (the
// engine of @uppy/tus) in Chromium with parallelUploads: 4 sends partials and a
// final through fetch/XHR; the server stores the file intact and imports it once.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, chromiumUnavailable, launchChromium } from '../browser/support/chromium.ts';
import { jobFinished, waitForUpload } from '../support/api-client.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';
import { idOf, storedBytes } from './tus-wire.ts';

const TUS_BROWSER_BUILD = createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js');

describe.skipIf(databaseUnavailable() || chromiumUnavailable())(
  `parallel uploads from Chromium (${databaseKind})`,
  () => {
    let harness: TestService;
    let browser: BrowserSession;
    let token: string;

    beforeAll(async () => {
      harness = await startTestService({ maintenance: false });
      token = await harness.tokenFor('browser');
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await harness?.stop();
    });

    it('concatenation: a browser client with parallelUploads: 4 lands the file byte-identical, imported once', async () => {
      const page = await browser.context.newPage();
      // A page of the service's own origin that loads the client build (no CORS involved).
      await page.route(`${harness.baseUrl}/parallel.html`, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="/tus.min.js"></script>' }),
      );
      await page.route(`${harness.baseUrl}/tus.min.js`, (route) => route.fulfill({ path: TUS_BROWSER_BUILD }));
      await page.goto(`${harness.baseUrl}/parallel.html`);
      const result = await page.evaluate(async (token) => {
        let text = 'id,name,amount\n';
        for (let n = 1; n <= 40_000; n++) text += `${n},name ${n},${(n * 1.5).toFixed(2)}\n`;
        const file = new File([text], 'browser.csv', { type: 'text/csv' });
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
        // biome-ignore lint/suspicious/noExplicitAny: the UMD build's global has no types in the page.
        const tus = (window as any).tus;
        const url = await new Promise<string>((resolve, reject) => {
          const upload = new tus.Upload(file, {
            endpoint: '/files/',
            parallelUploads: 4,
            headers: { Authorization: `Bearer ${token}` },
            metadata: { filename: file.name, filetype: file.type },
            retryDelays: [100, 500],
            onSuccess: () => resolve(upload.url),
            onError: reject,
          });
          upload.start();
        });
        return { url, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), rows: 40_000 };
      }, token);
      const id = idOf(new URL(result.url, harness.baseUrl).href);
      const stored = await storedBytes(harness.baseUrl, token, id);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(result.sha256);
      const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
      expect(upload.job?.state).toBe('succeeded');
      expect(upload.job?.result).toMatchObject({ rows: result.rows });
      const rows = await harness.service.database.db
        .selectFrom('uploads')
        .select('concat_role')
        .where('owner', '=', 'browser')
        .execute();
      expect(rows).toEqual([{ concat_role: 'final' }]);
      await page.close();
    });
  },
);
