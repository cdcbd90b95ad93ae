// The few JSON calls the uploader makes besides tus: the server's upload
// settings and an upload's import state. HTTP only; never the database.
import type { UploadView } from '../../uploads/upload-view.ts';

export interface ServiceSettings {
  chunkSize: number;
  maxFileSize: number;
  /** Absolute URL of the tus creation endpoint. */
  tusEndpoint: string;
}

/** A non-2xx answer; `status` 0 when the server could not be reached at all. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(server: string, path: string, token: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServiceError(0, `cannot reach ${server} (${cause})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 200);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {}
    throw new ServiceError(response.status, `${server}${path} answered ${response.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

export async function fetchServiceSettings(server: string, token: string): Promise<ServiceSettings> {
  const config = await getJson<{ chunkSize: number; maxFileSize: number; tusEndpoint: string }>(
    server,
    '/api/config',
    token,
  );
  return {
    chunkSize: config.chunkSize,
    maxFileSize: config.maxFileSize,
    tusEndpoint: new URL(config.tusEndpoint, `${server}/`).href,
  };
}

export function fetchUpload(server: string, token: string, id: string): Promise<UploadView> {
  return getJson<UploadView>(server, `/api/uploads/${encodeURIComponent(id)}`, token);
}
