// A tiny JSON client for the service's HTTP API, plus polling until a job
// reaches a state (with every observation kept, to assert on progress).
import type { UploadView } from '../../server/uploads/upload-view.ts';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function apiRequest<T = unknown>(
  baseUrl: string,
  path: string,
  token: string | null,
  init: RequestInit = {},
): Promise<ApiResponse<T>> {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const response = await fetch(`${baseUrl}${path}`, { ...init, headers });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('json');
  return { status: response.status, headers: response.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
}

export async function waitForUpload(
  baseUrl: string,
  token: string,
  id: string,
  done: (upload: UploadView) => boolean,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<{ upload: UploadView; observed: UploadView[] }> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const observed: UploadView[] = [];
  for (;;) {
    const { status, body } = await apiRequest<UploadView>(baseUrl, `/api/uploads/${id}`, token);
    if (status !== 200) throw new Error(`GET /api/uploads/${id} answered ${status}`);
    observed.push(body);
    if (done(body)) return { upload: body, observed };
    if (Date.now() > deadline || (body.job?.state === 'failed' && !done(body)))
      throw new Error(
        `upload ${id} ${body.state}/${body.job?.state}, not what was awaited (last error: ${body.job?.lastError})`,
      );
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

export const jobFinished = (upload: UploadView) =>
  upload.job?.state === 'succeeded' || upload.job?.state === 'failed' || upload.job?.state === 'cancelled';

export function uploadIdFromUrl(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? '';
}
