// After the last byte: polls GET /api/uploads/:id until the import job ends.
// A server that is briefly away (restart, deploy) is waited for, not failed.
import type { UploadView } from '../../uploads/upload-view.ts';
import { fetchUpload, ServiceError } from './service-api.ts';

export interface WaitForImportOptions {
  server: string;
  token: string;
  id: string;
  /** Poll interval (ms). */
  intervalMs?: number;
  /** How long the server may stay unreachable (or 5xx) before the wait fails (ms). */
  outageLimitMs?: number;
  signal?: AbortSignal;
  onUpdate?(upload: UploadView): void;
}

const FINAL_JOB_STATES = new Set(['succeeded', 'failed', 'cancelled']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function waitForImport(options: WaitForImportOptions): Promise<UploadView> {
  const interval = options.intervalMs ?? 500;
  const outageLimit = options.outageLimitMs ?? 120_000;
  let failingSince: number | null = null;
  for (;;) {
    if (options.signal?.aborted) throw new Error('interrupted');
    try {
      const upload = await fetchUpload(options.server, options.token, options.id);
      failingSince = null;
      options.onUpdate?.(upload);
      if (upload.job && FINAL_JOB_STATES.has(upload.job.state)) return upload;
    } catch (error) {
      const transient = error instanceof ServiceError && (error.status === 0 || error.status >= 500);
      if (!transient) throw error;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > outageLimit) throw error;
    }
    await sleep(failingSince === null ? interval : Math.min(5000, interval * 4), options.signal);
  }
}
