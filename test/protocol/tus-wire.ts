// Raw tus requests for the protocol suites: every header chosen by the test,
// bodies sent whole, chunked with trailers, or left hanging like a dead client.
import { createHash } from 'node:crypto';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { encodeMetadata, type RawResponse, rawRequest } from '../support/raw-tus.ts';

export const TUS = { 'Tus-Resumable': '1.0.0' } as const;
export const OCTETS = { 'Content-Type': 'application/offset+octet-stream' } as const;

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const digest64 = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('base64');
export const metadata = (values: Record<string, string> = { filename: 'data.csv' }) => encodeMetadata(values);

/** A client for one owner: every request carries the token and, unless overridden, Tus-Resumable. */
export function tusClient(baseUrl: string, token: string) {
  const auth = { Authorization: `Bearer ${token}` };
  const url = (target: string) => (target.startsWith('http') ? target : `${baseUrl}${target}`);
  return {
    request(method: string, target: string, headers: Record<string, string | number> = {}, body?: Buffer) {
      return rawRequest(url(target), method, { ...TUS, ...auth, ...headers }, body);
    },
    /** Creates an upload (a header given as null is left out); returns the response and its absolute Location. */
    async create(
      headers: Record<string, string | number | null>,
      body?: Buffer,
    ): Promise<RawResponse & { location: string }> {
      const sent = Object.entries({ 'Upload-Metadata': metadata(), ...headers }).filter(([, value]) => value !== null);
      const response = await this.request('POST', '/files/', Object.fromEntries(sent) as Record<string, string>, body);
      const location = response.headers.location ? new URL(response.headers.location, baseUrl).href : '';
      return { ...response, location };
    },
    patch(target: string, offset: number, body: Buffer, headers: Record<string, string | number> = {}) {
      return this.request('PATCH', target, { ...OCTETS, 'Upload-Offset': offset, ...headers }, body);
    },
    head(target: string) {
      return this.request('HEAD', target);
    },
    /** PATCH with Transfer-Encoding: chunked, the body in `chunks`, and optional trailers. */
    chunkedPatch(
      target: string,
      offset: number,
      chunks: Buffer[],
      options: { headers?: Record<string, string>; trailers?: Record<string, string> } = {},
    ): Promise<RawResponse> {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = {
          ...TUS,
          ...auth,
          ...OCTETS,
          'Upload-Offset': offset,
          'Transfer-Encoding': 'chunked',
          ...options.headers,
        };
        if (options.trailers) headers.Trailer = Object.keys(options.trailers).join(', ');
        const request = http.request(url(target), { method: 'PATCH', headers }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          );
        });
        request.on('error', reject);
        for (const chunk of chunks) request.write(chunk);
        if (options.trailers) request.addTrailers(options.trailers);
        request.end();
      });
    },
    /** A PATCH that sends `data` and then nothing more, its socket left open: a client that vanished. */
    hangingPatch(target: string, offset: number, data: Buffer, declared: number): { close(): void } {
      const request = http.request(url(target), {
        method: 'PATCH',
        headers: { ...TUS, ...auth, ...OCTETS, 'Upload-Offset': offset, 'Content-Length': declared },
      });
      request.on('error', () => {});
      request.write(data);
      return { close: () => request.destroy() };
    },
  };
}

export type TusClient = ReturnType<typeof tusClient>;

export const idOf = (location: string) => new URL(location).pathname.split('/').pop() as string;

/** The stored bytes of a finished upload (GET /files/:id). */
export async function storedBytes(baseUrl: string, token: string, id: string): Promise<Buffer> {
  const response = await fetch(`${baseUrl}/files/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET /files/${id} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** A small CSV body whose lines say where they are, so misplaced bytes show. */
export function csvBytes(rows: number, tag = 'row'): Buffer {
  let text = 'id,label\n';
  for (let n = 1; n <= rows; n++) text += `${n},${tag}-${n}\n`;
  return Buffer.from(text);
}

/** Makes a stored upload look as if its last byte arrived `ms` ago (file time and tus info). */
export async function ageStoredUpload(store: { filePath(id: string): string }, id: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  const path = store.filePath(id);
  await utimes(path, then, then);
  const info = JSON.parse(await readFile(`${path}.json`, 'utf8'));
  await writeFile(`${path}.json`, JSON.stringify({ ...info, creation_date: then.toISOString() }));
}
