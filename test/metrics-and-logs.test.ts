// Operations: /metrics after an upload and its import holds the named series
// with the right values, and one request id follows the upload's last PATCH
// into the import job's log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, jobFinished, waitForUpload } from './support/api-client.ts';
import { createUpload, patch } from './support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';

function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.skipIf(databaseUnavailable())(`metrics and request ids (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  const logLines: string[] = [];
  const csv = Buffer.from('id,name\n1,one\n2,two\n3,three\n');

  beforeAll(async () => {
    harness = await startTestService({ logLines });
    token = await harness.tokenFor('nora');
  });
  afterAll(() => harness?.stop());

  it('counts uploads, bytes, rows and requests, and follows the request id into the job', async () => {
    const created = await createUpload(harness.baseUrl, token, csv.length);
    const first = await patch(created.url, token, 0, csv.subarray(0, 10));
    const last = await patch(created.url, token, 10, csv.subarray(10));
    expect(last.status).toBe(204);
    const id = created.url.split('/').pop() as string;
    await waitForUpload(harness.baseUrl, token, id, jobFinished);

    const response = await apiRequest<string>(harness.baseUrl, '/metrics', null);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = response.body;
    expect(sample(text, 'csvup_uploads_created_total')).toBe(1);
    expect(sample(text, 'csvup_uploads_finished_total')).toBe(1);
    expect(sample(text, 'csvup_upload_bytes_received_total')).toBe(csv.length);
    expect(sample(text, 'csvup_rows_imported_total')).toBe(3);
    expect(sample(text, 'csvup_rows_rejected_total')).toBe(0);
    expect(sample(text, 'csvup_upload_size_bytes_count')).toBe(1);
    expect(sample(text, 'csvup_upload_size_bytes_sum')).toBe(csv.length);
    expect(sample(text, 'csvup_jobs{state="succeeded"}')).toBe(1);
    expect(sample(text, 'csvup_uploads_active')).toBe(0);
    expect(sample(text, 'csvup_queue_lag_seconds')).toBe(0);
    expect(sample(text, 'csvup_job_duration_seconds_count{outcome="succeeded"}')).toBe(1);
    expect(sample(text, 'csvup_http_requests_total{method="PATCH",route="/files/*",status="204"}')).toBe(2);
    expect(sample(text, 'csvup_upload_disk_free_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    // The request id comes back on tus responses and is on the job's log lines.
    const requestId = last.headers['x-request-id'] as string;
    expect(requestId).toBeTruthy();
    expect(first.headers['x-request-id']).not.toBe(requestId);
    const job = await harness.service.database.db
      .selectFrom('jobs')
      .selectAll()
      .where('upload_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(job.request_id).toBe(requestId);
    const logs = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const jobLogs = logs.filter((l) => l.jobId === Number(job.id));
    expect(jobLogs.map((l) => l.msg)).toEqual(expect.arrayContaining(['job started', 'job succeeded']));
    for (const line of jobLogs) expect(line.reqId).toBe(requestId);
    expect(logs.some((l) => l.reqId === requestId && l.msg === 'upload finished')).toBe(true);
  });

  it('takes the request id from X-Request-Id when the caller sends one', async () => {
    const response = await apiRequest(harness.baseUrl, '/api/config', token, {
      headers: { 'X-Request-Id': 'trace-abc-123' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
  });

  it('never writes a token into the logs, from a header or a query string', async () => {
    await apiRequest(harness.baseUrl, '/api/uploads', token);
    await apiRequest(harness.baseUrl, `/api/uploads?token=${token}`, null);
    expect(logLines.some((line) => line.includes('token=[redacted]'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(token);
  });
});
