// GET /api/uploads/:id/events over real HTTP, read with plain fetch: the
// upload object on connect, every change while bytes arrive and the import
// runs, then the end of the stream; owners, tokens and deletion respected.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest, jobFinished, uploadIdFromUrl, waitForUpload } from './support/api-client.ts';
import { writeCsvFixture } from './support/csv-fixtures.ts';
import { readEventStream, type ServerSentEvent } from './support/event-stream-reader.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

const MiB = 1024 * 1024;

/** Resolves when `predicate` holds for an event seen by the returned `onEvent`. */
function eventWaiter() {
  const waiters: Array<{ predicate: (view: UploadView) => boolean; resolve: () => void }> = [];
  return {
    onEvent(event: ServerSentEvent) {
      if (event.event !== 'message') return;
      const view = JSON.parse(event.data) as UploadView;
      for (const waiter of waiters.splice(0)) {
        if (waiter.predicate(view)) waiter.resolve();
        else waiters.push(waiter);
      }
    },
    until(predicate: (view: UploadView) => boolean): Promise<void> {
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

describe.skipIf(databaseUnavailable())(`upload event stream (${databaseKind})`, () => {
  let harness: TestService;
  let workDir: string;
  let csv: Buffer;
  let rows: number;
  let alice: string;
  let mallory: string;

  const eventsUrl = (id: string, query = '') => `${harness.baseUrl}/api/uploads/${id}/events${query}`;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function finishedUpload(): Promise<string> {
    const created = await createUpload(harness.baseUrl, alice, csv.length);
    await patch(created.url, alice, 0, csv);
    const id = uploadIdFromUrl(created.url);
    await waitForUpload(harness.baseUrl, alice, id, jobFinished);
    return id;
  }

  beforeAll(async () => {
    harness = await startTestService();
    alice = await harness.tokenFor('alice');
    mallory = await harness.tokenFor('mallory');
    workDir = await mkdtemp(join(tmpdir(), 'csvup-events-'));
    rows = await writeCsvFixture(join(workDir, 'events.csv'), 2 * MiB);
    csv = await readFile(join(workDir, 'events.csv'));
  });
  afterAll(async () => {
    await harness?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('sends the upload on connect, each change while it arrives and imports, then ends the stream', async () => {
    const created = await createUpload(harness.baseUrl, alice, csv.length);
    const id = uploadIdFromUrl(created.url);
    const waiter = eventWaiter();
    const reading = readEventStream(eventsUrl(id), bearer(alice), { onEvent: waiter.onEvent });

    await waiter.until((view) => view.offset === 0);
    const half = Math.floor(csv.length / 2);
    expect((await patch(created.url, alice, 0, csv.subarray(0, half))).status).toBe(204);
    await waiter.until((view) => view.offset === half);
    expect((await patch(created.url, alice, half, csv.subarray(half))).status).toBe(204);

    const stream = await reading;
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect(stream.ended).toBe(true);
    const views = stream.events.map((event) => JSON.parse(event.data) as UploadView);
    expect(views[0]).toMatchObject({ id, state: 'uploading', offset: 0, job: null, filename: 'data.csv' });
    expect(views.some((view) => view.state === 'uploading' && view.offset === half)).toBe(true);
    // Only changes are sent: no two consecutive events are equal.
    for (let i = 1; i < stream.events.length; i++) expect(stream.events[i]?.data).not.toBe(stream.events[i - 1]?.data);
    const last = views.at(-1);
    expect(last?.job?.state).toBe('succeeded');
    expect(last?.job?.result).toMatchObject({ rows, rowsRejected: 0 });
    // The same object as GET /api/uploads/:id.
    const current = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${id}`, alice);
    expect(last).toEqual(current.body);
  });

  it('takes the token from ?token= on this route only (EventSource sends no headers)', async () => {
    const id = await finishedUpload();
    const stream = await readEventStream(eventsUrl(id, `?token=${alice}`), {}, { timeoutMs: 10_000 });
    expect(stream.status).toBe(200);
    expect(stream.ended).toBe(true);
    expect(stream.events).toHaveLength(1);
    expect((JSON.parse(stream.events[0]?.data ?? '{}') as UploadView).job?.state).toBe('succeeded');

    const elsewhere = await apiRequest(harness.baseUrl, `/api/uploads/${id}?token=${alice}`, null);
    expect(elsewhere.status).toBe(401);
  });

  it("answers another owner's id with 404 and a bad or missing token with 401, before any stream", async () => {
    const id = await finishedUpload();
    for (const [url, headers] of [
      [eventsUrl(id), bearer(mallory)],
      [eventsUrl(id, `?token=${mallory}`), {}],
      [eventsUrl('0123456789abcdef0123456789abcdef'), bearer(alice)],
    ] as const) {
      const response = await readEventStream(url, headers);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'not_found', message: 'Upload not found' } });
    }
    for (const [url, headers] of [
      [eventsUrl(id), bearer('cut_not-a-real-token-at-all')],
      [eventsUrl(id, '?token=cut_not-a-real-token-at-all'), {}],
      [eventsUrl(id), {}],
    ] as const) {
      const response = await readEventStream(url, headers);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body).error.code).toBe('unauthorized');
    }
  });

  it('tells the client when the upload is deleted, and ends the stream', async () => {
    const created = await createUpload(harness.baseUrl, alice, csv.length);
    const id = uploadIdFromUrl(created.url);
    const waiter = eventWaiter();
    const reading = readEventStream(eventsUrl(id), bearer(alice), { onEvent: waiter.onEvent, timeoutMs: 10_000 });
    await waiter.until((view) => view.id === id);
    await harness.service.database.db.deleteFrom('uploads').where('id', '=', id).execute();
    const stream = await reading;
    expect(stream.ended).toBe(true);
    expect(stream.events.at(-1)?.event).toBe('deleted');
  });
});
