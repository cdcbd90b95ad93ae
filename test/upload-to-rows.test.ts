// The whole path: a ≥ 50 MB CSV sent by tus-js-client in chunks, interrupted
// and resumed by a new client, stored byte-identical, imported into rows that
// match the file, with progress visible while the import runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, uploadIdFromUrl, waitForUpload } from './support/api-client.ts';
import { FIXTURE_HEADER, fixtureRow, sha256File, writeCsvFixture } from './support/csv-fixtures.ts';
import { recordStats } from './support/import-tables.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { FileUrlStorage, tusUpload } from './support/tus-client.ts';

const MiB = 1024 * 1024;

describe.skipIf(databaseUnavailable())(`tus upload to imported rows (${databaseKind})`, () => {
  let harness: TestService;
  let workDir: string;
  let csvPath: string;
  let rowCount: number;
  let token: string;

  beforeAll(async () => {
    harness = await startTestService();
    token = await harness.tokenFor('alice');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-e2e-'));
    csvPath = join(workDir, 'people.csv');
    rowCount = await writeCsvFixture(csvPath, 52 * MiB);
  });
  afterAll(async () => {
    await harness?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('resumes an interrupted upload, stores it byte-identical and imports every row', async () => {
    const urlStorage = new FileUrlStorage(join(workDir, 'tus-urls.json'));
    const endpoint = `${harness.baseUrl}/files/`;
    const first = await tusUpload({
      endpoint,
      token,
      path: csvPath,
      chunkSize: 5 * MiB,
      urlStorage,
      abortWhen: (sent) => sent >= 20 * MiB,
    });
    expect(first.aborted).toBe(true);
    const id = uploadIdFromUrl(first.url);
    const midway = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${id}`, token);
    expect(midway.body.state).toBe('uploading');
    expect(midway.body.offset).toBeGreaterThanOrEqual(20 * MiB);

    // A new client (as after a restart) finds the stored URL and continues from the server's offset.
    const second = await tusUpload({ endpoint, token, path: csvPath, chunkSize: 5 * MiB, urlStorage });
    expect(second.aborted).toBe(false);
    expect(second.url).toBe(first.url);
    expect(second.resumedFrom).toBeGreaterThanOrEqual(midway.body.offset);

    // Generous: a loaded 2-core machine imports these 52 MB into PGlite in well over a minute.
    const { upload, observed } = await waitForUpload(harness.baseUrl, token, id, jobFinished, {
      intervalMs: 40,
      timeoutMs: 240_000,
    });
    expect(upload.job?.lastError ?? null).toBeNull();
    expect(upload.job?.state).toBe('succeeded');
    expect(upload.state).toBe('processed');
    expect(upload.sha256).toBe(await sha256File(csvPath));
    expect(await sha256File(harness.fileStore.filePath(id))).toBe(upload.sha256);
    expect(upload.job?.result).toMatchObject({ rows: rowCount, rowsRejected: 0, columns: FIXTURE_HEADER });

    expect((await recordStats(harness.service.database.db, id)).n).toBe(rowCount);

    // Progress was visible before the import ended.
    const partial = observed.filter((o) => o.job?.state === 'running' && (o.job.progress.rowsDone ?? 0) > 0);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial[0]?.job?.progress.rowsDone).toBeLessThan(rowCount);
    expect(partial[0]?.job?.progress.bytesTotal).toBe(upload.size);

    // Rows come back in file order and equal the generated values, tricky fields included.
    const page = await apiRequest<{
      rows: { recordNumber: number; data: Record<string, string> }[];
      nextAfter: number;
    }>(harness.baseUrl, `/api/uploads/${id}/rows?limit=20&after=0`, token);
    expect(page.body.rows.map((r) => r.recordNumber)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const row of page.body.rows) {
      expect(Object.keys(row.data)).toEqual(FIXTURE_HEADER);
      expect(Object.values(row.data)).toEqual(fixtureRow(row.recordNumber));
    }
    expect(page.body.rows[6]?.data.comment).toBe('line one\nline "two", with comma');
    const tail = await apiRequest<{ rows: { recordNumber: number; data: Record<string, string> }[]; nextAfter: null }>(
      harness.baseUrl,
      `/api/uploads/${id}/rows?limit=10&after=${rowCount - 3}`,
      token,
    );
    expect(tail.body.rows.map((r) => r.recordNumber)).toEqual([rowCount - 2, rowCount - 1, rowCount]);
    expect(tail.body.nextAfter).toBeNull();
    expect(tail.body.rows[2]?.data).toEqual(
      Object.fromEntries(FIXTURE_HEADER.map((h, i) => [h, fixtureRow(rowCount)[i]])),
    );
  }, 300_000);
});
