// Review mode against a real service: an upload sent with review=true is held
// once its bytes are in (no job, not even from the reconciliation pass), can be
// previewed, and is imported only by POST /api/uploads/:id/import with the
// reviewed options; a held upload nobody imports expires like an unfinished one.
import { stat } from 'node:fs/promises';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireIdleUploads } from '../server/cleanup/expire-idle-uploads.ts';
import { reconcileFinishedUploads } from '../server/cleanup/reconcile-finished-uploads.ts';
import type { ImportPreview } from '../server/import/preview-import.ts';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, waitForUpload } from './support/api-client.ts';
import { createUpload, head, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

const CSV = 'id;amount;city\n1;12,50;Oslo\n2;7,5;Bergen\nx;1;Molde\n';
const HOUR = 3_600_000;

describe.skipIf(databaseUnavailable())(`review mode (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  const silent = pino({ level: 'silent' });

  beforeAll(async () => {
    // Maintenance off: the test runs reconciliation and expiry itself, when it wants.
    harness = await startTestService({
      env: { UPLOAD_EXPIRY_HOURS: '1', IMPORT_TARGETS: 'public.review_towns' },
      maintenance: false,
    });
    token = await harness.tokenFor('rita');
  });
  afterAll(() => harness?.stop());

  async function sendFile(metadata: Record<string, string>, body = Buffer.from(CSV)) {
    const created = await createUpload(harness.baseUrl, token, body.length, { filename: 'cities.csv', ...metadata });
    expect(created.status).toBe(201);
    expect((await patch(created.url, token, 0, body)).status).toBe(204);
    return { url: created.url, id: created.url.split('/').pop() as string };
  }
  const view = async (id: string) => (await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${id}`, token)).body;
  const startImport = (id: string, body: unknown, as = token) =>
    apiRequest<UploadView & { error?: { message: string } }>(harness.baseUrl, `/api/uploads/${id}/import`, as, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const reconcile = () =>
    reconcileFinishedUploads({
      db: harness.service.database.db,
      store: harness.fileStore,
      jobSignal: harness.service.jobSignal,
      jobMaxAttempts: 5,
      logger: silent,
    });

  it('holds an upload that asks for review: complete, no job, even after the reconciliation pass', async () => {
    const { id } = await sendFile({ review: 'true' });
    const held = await view(id);
    expect(held).toMatchObject({ state: 'uploaded', awaitingReview: true, job: null, offset: CSV.length });
    expect(await reconcile()).toBe(0);
    // A worker runs in this service: give it the time it would take to pick up a job.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await view(id)).toMatchObject({ state: 'uploaded', awaitingReview: true, job: null });
    const preview = await apiRequest<ImportPreview>(harness.baseUrl, `/api/uploads/${id}/preview?rows=2`, token);
    expect(preview.status).toBe(200);
    expect(preview.body.columns).toEqual(['id', 'amount', 'city']);
    expect(preview.body.rows).toHaveLength(2);
  });

  it('a held upload whose finish was never recorded is marked complete by reconciliation, still without a job', async () => {
    const { id } = await sendFile({ review: 'true' });
    const { db } = harness.service.database;
    await db.updateTable('uploads').set({ state: 'uploading', finished_at: null }).where('id', '=', id).execute();
    expect(await reconcile()).toBe(0);
    expect(await view(id)).toMatchObject({ state: 'uploaded', awaitingReview: true, job: null });
  });

  it('imports a held upload with the reviewed dialect and mapping, once', async () => {
    const { id } = await sendFile({ review: 'true' });
    const mapping = {
      columns: [
        { source: 'id', name: 'number', type: 'integer' },
        { source: 'amount', name: 'amount', type: 'decimal', decimalSeparator: ',' },
        { source: 'city', name: 'town' },
      ],
    };
    const started = await startImport(id, { delimiter: ';', header: 'true', mapping });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ awaitingReview: false, job: { state: expect.any(String) } });
    expect(started.body.metadata).toMatchObject({ review: 'true', delimiter: ';', header: 'true' });
    expect(JSON.parse(started.body.metadata.mapping as string)).toEqual(mapping);

    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
    expect(upload.job?.state).toBe('succeeded');
    const rows = await apiRequest<{ rows: { recordNumber: number; data: Record<string, unknown> }[] }>(
      harness.baseUrl,
      `/api/uploads/${id}/rows`,
      token,
    );
    expect(rows.body.rows.map((row) => Object.keys(row.data))).toEqual([
      ['number', 'amount', 'town'],
      ['number', 'amount', 'town'],
    ]);
    expect(rows.body.rows.map((row) => [String(row.data.number), String(row.data.amount)])).toEqual([
      ['1', '12.50'],
      ['2', '7.5'],
    ]);
    // The line with id "x" is not an integer: rejected, in the report.
    expect(upload.job?.progress.rowsRejected).toBe(1);

    const again = await startImport(id, {});
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/has started already/);
    expect(
      await harness.service.database.db.selectFrom('jobs').where('upload_id', '=', id).selectAll().execute(),
    ).toHaveLength(1);
  });

  it('imports a held upload into an allowed existing table chosen as its destination', async () => {
    const { db } = harness.service.database;
    await sql`CREATE TABLE IF NOT EXISTS public.review_towns (id bigint PRIMARY KEY, town text NOT NULL)`.execute(db);
    const config = await apiRequest<{ importTargets: string[] }>(harness.baseUrl, '/api/config', token);
    expect(config.body.importTargets).toEqual(['public.review_towns']);
    const { id } = await sendFile({ review: 'true' });
    const mapping = {
      target: 'public.review_towns',
      columns: [
        { source: 'id', name: 'id', type: 'integer' },
        { source: 'city', name: 'town' },
      ],
    };
    expect((await startImport(id, { delimiter: ';', header: 'true', mapping })).status).toBe(202);
    const { upload } = await waitForUpload(harness.baseUrl, token, id, jobFinished);
    expect(upload.job?.result).toMatchObject({
      rows: 2,
      rowsRejected: 1,
      destination: { qualifiedName: 'public.review_towns', owned: false },
    });
    const towns = await sql<{
      id: string;
      town: string;
    }>`SELECT id::text, town FROM public.review_towns ORDER BY id`.execute(db);
    expect(towns.rows).toEqual([
      { id: '1', town: 'Oslo' },
      { id: '2', town: 'Bergen' },
    ]);
    // The table holds other rows too: the rows API points there instead of guessing which are this upload's.
    const rows = await apiRequest<{ error: { message: string } }>(harness.baseUrl, `/api/uploads/${id}/rows`, token);
    expect(rows.status).toBe(409);
    expect(rows.body.error.message).toMatch(/appended to public\.review_towns/);
  });

  it('refuses bad options with 400 and keeps the upload held; answers 404 to another owner', async () => {
    const { id } = await sendFile({ review: 'true' });
    const badMapping = await startImport(id, { mapping: { columns: [{ source: 'nope' }] } });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.error?.message).toMatch(/no column "nope"|Invalid mapping/);
    expect((await startImport(id, { quote: 'ab' })).status).toBe(400);
    expect((await startImport(id, { mapping: '{oops' })).status).toBe(400);
    expect((await startImport(id, { unknownOption: 'x' })).status).toBe(400);
    expect((await startImport(id, { mapping: { columns: [{ source: 'x'.repeat(70_000) }] } })).status).toBe(400);
    expect((await startImport(id, { header: true })).status).toBe(400);
    expect((await startImport(id, {}, await harness.tokenFor('otto'))).status).toBe(404);
    expect(await view(id)).toMatchObject({ awaitingReview: true, job: null });
    expect((await view(id)).metadata.mapping).toBeUndefined();
  });

  it('refuses to import an upload that did not ask for review, and a review value that is not a boolean', async () => {
    const { id } = await sendFile({});
    await waitForUpload(harness.baseUrl, token, id, jobFinished);
    const refused = await startImport(id, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toMatch(/not held for review/);
    const created = await createUpload(harness.baseUrl, token, 10, { filename: 'x.csv', review: 'maybe' });
    expect(created.status).toBe(400);
  });

  it('refuses an upload still in progress with 409', async () => {
    const created = await createUpload(harness.baseUrl, token, 100, { filename: 'half.csv', review: 'true' });
    expect((await patch(created.url, token, 0, Buffer.from('id\n1\n'))).status).toBe(204);
    const id = created.url.split('/').pop() as string;
    const refused = await startImport(id, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toMatch(/uploading/);
  });

  it('expires a held upload nobody imported, with its file; an imported one is kept', async () => {
    const forgotten = await sendFile({ review: 'true' });
    const recent = await sendFile({ review: 'true' });
    const { db } = harness.service.database;
    const then = new Date(Date.now() - 2 * HOUR);
    await db
      .updateTable('uploads')
      .set({ created_at: then, updated_at: then })
      .where('id', '=', forgotten.id)
      .execute();

    const expired = await expireIdleUploads({ db, store: harness.fileStore, expiryMs: HOUR, logger: silent });
    expect(expired).toBe(1);
    expect(await view(forgotten.id)).toMatchObject({ state: 'expired', awaitingReview: false, job: null });
    await expect(stat(harness.fileStore.filePath(forgotten.id))).rejects.toThrow(/ENOENT/);
    expect((await head(forgotten.url, token)).status).toBe(404);
    expect((await startImport(forgotten.id, {})).status).toBe(409);
    expect(await view(recent.id)).toMatchObject({ state: 'uploaded', awaitingReview: true });

    // Once its import started, a held upload is no longer an expiry candidate, however old.
    expect((await startImport(recent.id, {})).status).toBe(202);
    await waitForUpload(harness.baseUrl, token, recent.id, jobFinished);
    await db.updateTable('uploads').set({ updated_at: then }).where('id', '=', recent.id).execute();
    expect(await expireIdleUploads({ db, store: harness.fileStore, expiryMs: HOUR, logger: silent })).toBe(0);
    expect((await view(recent.id)).state).toBe('processed');
  });
});
