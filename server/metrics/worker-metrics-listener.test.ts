import { afterEach, describe, expect, it } from 'vitest';
import { createJobMetrics } from './service-metrics.ts';
import { listenForMetrics, type MetricsListener } from './worker-metrics-listener.ts';

describe('listenForMetrics', () => {
  let listener: MetricsListener | undefined;
  afterEach(() => listener?.close());

  it("serves the worker's job series and process metrics on GET /metrics, JSON 404 elsewhere", async () => {
    const metrics = createJobMetrics();
    metrics.rowsImported.inc(42);
    metrics.jobDuration.observe({ outcome: 'succeeded' }, 0.3);
    listener = await listenForMetrics(metrics.registry, '127.0.0.1', 0);
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const response = await fetch(listener.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^csvup_rows_imported_total 42$/m);
    expect(text).toMatch(/^csvup_job_duration_seconds_count\{outcome="succeeded"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // A worker has no uploads: the API's series are not exported here.
    expect(text).not.toContain('csvup_upload_bytes_received_total');

    for (const [path, method] of [
      ['/', 'GET'],
      ['/metrics', 'POST'],
    ] as const) {
      const other = await fetch(new URL(path, listener.url), { method });
      expect(other.status).toBe(404);
      expect(await other.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });
});
