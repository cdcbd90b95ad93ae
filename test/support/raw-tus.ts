// Hand-made tus requests over node:http, for what a well-behaved client never
// does: cutting a PATCH body midway, sending wrong headers.
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** POST /files/ with the given length and metadata; returns the upload URL. */
export async function createUpload(
  baseUrl: string,
  token: string,
  length: number,
  metadata: Record<string, string> = { filename: 'data.csv', filetype: 'text/csv' },
): Promise<RawResponse & { url: string }> {
  const response = await rawRequest(`${baseUrl}/files/`, 'POST', {
    'Tus-Resumable': '1.0.0',
    'Upload-Length': length,
    'Upload-Metadata': encodeMetadata(metadata),
    Authorization: `Bearer ${token}`,
  });
  return { ...response, url: String(response.headers.location ?? '') };
}

/**
 * Starts a PATCH announcing `declared` bytes, sends only `sent`, then destroys
 * the socket, like a client whose network died.
 */
export function cutPatch(url: string, token: string, offset: number, data: Buffer, declared: number): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': offset,
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': declared,
        Authorization: `Bearer ${token}`,
      },
    });
    request.on('error', () => resolve());
    request.write(data, () => {
      // Give the server time to write what it received before the cut.
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 300);
    });
  });
}

export function patch(url: string, token: string, offset: number, data: Buffer): Promise<RawResponse> {
  return rawRequest(
    url,
    'PATCH',
    {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': offset,
      'Content-Type': 'application/offset+octet-stream',
      Authorization: `Bearer ${token}`,
    },
    data,
  );
}

export function head(url: string, token: string): Promise<RawResponse> {
  return rawRequest(url, 'HEAD', { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` });
}
