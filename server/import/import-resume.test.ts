import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  availableDatabaseKinds,
  createRunningJob,
  createSink,
  readJob,
  readRowErrors,
  readRows,
  stopAfter,
  useImportTestbed,
} from '../../test/support/import-testbed.ts';
import type { ImportCheckpoint } from './import-checkpoint.ts';
import { ImportCancelledError, type ImportOptions, importCsvFile } from './import-csv-file.ts';
import type { BatchSink } from './sink/batch-sink.ts';
import { LeaseLostError } from './sink/batch-sink.ts';

const kinds = await availableDatabaseKinds();

// Everything that moves byte offsets and line numbers: a BOM, multi-byte text,
// CRLF inside and between records, blank lines, ragged rows, no final newline.
function trickyCsv(records: number, eol: string): string {
  const lines = ['\uFEFFid,text,n'];
  for (let i = 1; i <= records; i++) {
    if (i % 7 === 0) lines.push(`${i},"multi\r\nline ""${i}""",€${i}`);
    else if (i % 11 === 0) lines.push(`${i},ragged`);
    else if (i % 13 === 0) lines.push('', `${i},"after a blank line",ü`);
    else lines.push(`${i},plain ${'x'.repeat(i % 5)},${i * 2}`);
  }
  return lines.join(eol);
}

describe.each(kinds)('resuming imports on %s', (kind) => {
  const testbed = useImportTestbed(kind);

  async function attempt(
    filePath: string,
    sinkFor: (sink: BatchSink) => BatchSink,
    extra: Partial<ImportOptions> = {},
  ) {
    const job = await createRunningJob(testbed.database.handle);
    const options = { uploadId: job.uploadId, filePath, checkpoint: null, batchRows: 4, batchBytes: 90, ...extra };
    const outcome = await importCsvFile(options, sinkFor(createSink(testbed.database.handle, job))).catch(
      (error: unknown) => error,
    );
    return { job, outcome };
  }
  const outcomeOf = async (uploadId: string) => ({
    rows: await readRows(testbed.database.handle, uploadId),
    errors: await readRowErrors(testbed.database.handle, uploadId),
  });

  it.each([
    [40, '\r\n'],
    [41, '\n'],
  ])('gives identical results when resumed at every checkpoint (%i records)', async (records, eol) => {
    const csv = trickyCsv(records, eol);
    const filePath = await testbed.fixtures.file(`tricky-${records}.csv`, csv);
    const fresh = await attempt(filePath, (sink) => sink);
    const expected = await outcomeOf(fresh.job.uploadId);
    expect(expected.rows.length + expected.errors.length).toBe(records);
    expect(fresh.outcome).toMatchObject({ sha256: createHash('sha256').update(csv).digest('hex') });
    expect(expected.errors[0]).toMatchObject({ recordNumber: 11, lineNumber: 13, raw: '11,ragged' });

    let resumes = 0;
    for (let commits = 1; ; commits++, resumes++) {
      const first = await attempt(filePath, (sink) => stopAfter(sink, commits));
      if (!(first.outcome instanceof LeaseLostError)) break;
      const { checkpoint } = await readJob(testbed.database.handle, first.job.jobId);
      const resumed = await importCsvFile(
        {
          uploadId: first.job.uploadId,
          filePath,
          checkpoint: checkpoint as ImportCheckpoint,
          batchRows: 4,
          batchBytes: 90,
        },
        createSink(testbed.database.handle, first.job),
      );
      expect(resumed).toEqual({ ...(fresh.outcome as object), durationMs: resumed.durationMs });
      expect(await outcomeOf(first.job.uploadId)).toEqual(expected);
    }
    expect(resumes).toBeGreaterThanOrEqual(8);
  });

  it('sets aside rows PostgreSQL refuses in many batches, each counted once in the checkpoints that follow', async () => {
    // On PostgreSQL batches load two at a time: each batch's checkpoint must still count the refusals of all before it.
    const { handle } = testbed.database;
    const job = await createRunningJob(handle);
    // The table the import would create, made first with a rule the parser cannot know of.
    await sql
      .raw(
        `CREATE TABLE imports.test_${job.uploadId.slice(0, 8)} (record_number bigint NOT NULL, n text CHECK (n <> 'bad'))`,
      )
      .execute(handle.db);
    const lines = ['n'];
    for (let i = 1; i <= 600; i++) lines.push(i % 70 === 0 ? 'bad' : String(i));
    const filePath = await testbed.fixtures.file('refusals.csv', `${lines.join('\n')}\n`);
    const summary = await importCsvFile(
      { uploadId: job.uploadId, filePath, checkpoint: null, batchRows: 50 },
      createSink(handle, job),
    );
    const refused = [70, 140, 210, 280, 350, 420, 490, 560];
    expect(summary).toMatchObject({ rows: 600 - refused.length, rowsRejected: refused.length });
    expect((await readJob(handle, job.jobId)).checkpoint).toMatchObject({
      recordNumber: 600,
      rowsRejected: refused.length,
    });
    const { rows, errors } = await outcomeOf(job.uploadId);
    expect(errors.map((error) => error.recordNumber)).toEqual(refused);
    const kept = Array.from({ length: 600 }, (_, i) => i + 1).filter((n) => !refused.includes(n));
    expect(rows.map((row) => row.recordNumber)).toEqual(kept);
  });

  it('stops with LeaseLostError and writes nothing of the batch once the job is taken over', async () => {
    const filePath = await testbed.fixtures.file('lease.csv', trickyCsv(30, '\n'));
    const job = await createRunningJob(testbed.database.handle);
    const sink = createSink(testbed.database.handle, job);
    const takenOverAfterFirstCommit: BatchSink = {
      async commitBatch(batch) {
        const committed = await sink.commitBatch(batch);
        await testbed.database.handle.db
          .updateTable('jobs')
          .set({ locked_by: 'another-worker' })
          .where('id', '=', job.jobId)
          .execute();
        return committed;
      },
    };
    const options = { uploadId: job.uploadId, filePath, checkpoint: null, batchRows: 4 };
    await expect(importCsvFile(options, takenOverAfterFirstCommit)).rejects.toThrow(LeaseLostError);
    const { rows, errors } = await outcomeOf(job.uploadId);
    expect(rows.length + errors.length).toBe(4);
    expect((await readJob(testbed.database.handle, job.jobId)).checkpoint).toMatchObject({ recordNumber: 4 });
  });

  it('stops at a batch boundary with ImportCancelledError when aborted; committed batches stay', async () => {
    const filePath = await testbed.fixtures.file('abort.csv', trickyCsv(30, '\r\n'));
    const controller = new AbortController();
    const { job, outcome } = await attempt(
      filePath,
      (sink) => ({
        async commitBatch(batch) {
          controller.abort();
          return sink.commitBatch(batch);
        },
      }),
      { signal: controller.signal },
    );
    expect(outcome).toBeInstanceOf(ImportCancelledError);
    const stored = await readJob(testbed.database.handle, job.jobId);
    const { rows, errors } = await outcomeOf(job.uploadId);
    expect(rows.length + errors.length).toBe((stored.checkpoint as ImportCheckpoint).recordNumber);
    expect(rows.length + errors.length).toBeGreaterThan(0);
  });
});
