// Raw requests of the IETF resumable-upload draft for its protocol suite: each
// carries Upload-Draft-Interop-Version (5 or 6) and the token; interim (1xx)
// responses are collected, so the 104 with the upload URL can be checked.
import http from 'node:http';
import { metadata } from './tus-wire.ts';

export type Interop = 5 | 6;

export interface DraftResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** 1xx responses before the final one, in order. */
  interim: { status: number; headers: http.IncomingHttpHeaders }[];
}

export function draftRequest(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: Buffer | Buffer[],
): Promise<DraftResponse> {
  return new Promise((resolve, reject) => {
    const interim: DraftResponse['interim'] = [];
    const request = http.request(url, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text, interim }),
      );
    });
    request.on('information', (info) => interim.push({ status: info.statusCode, headers: info.headers }));
    request.on('error', reject);
    // Several buffers go out as a chunked body (no Content-Length).
    if (Array.isArray(body)) {
      for (const chunk of body) request.write(chunk);
      request.end();
    } else request.end(body);
  });
}

/** A draft client for one owner and one interop version; a header given as null is left out. */
export function draftClient(baseUrl: string, token: string, version: Interop) {
  const url = (target: string) => (target.startsWith('http') ? target : `${baseUrl}${target}`);
  const base = { Authorization: `Bearer ${token}`, 'Upload-Draft-Interop-Version': version };
  const send = (
    method: string,
    target: string,
    headers: Record<string, string | number | null>,
    body?: Buffer | Buffer[],
  ) => {
    const sent = Object.entries({ ...base, ...headers }).filter(([, value]) => value !== null);
    return draftRequest(url(target), method, Object.fromEntries(sent) as Record<string, string>, body);
  };
  const appendType: Record<string, string> = version >= 6 ? { 'Content-Type': 'application/partial-upload' } : {};
  return {
    send,
    create(complete: boolean, body?: Buffer | Buffer[], headers: Record<string, string | number | null> = {}) {
      return send(
        'POST',
        '/files/',
        { 'Upload-Metadata': metadata(), 'Upload-Complete': complete ? '?1' : '?0', ...headers },
        body,
      );
    },
    head: (target: string) => send('HEAD', target, {}),
    append(
      target: string,
      offset: number,
      complete: boolean,
      body?: Buffer | Buffer[],
      headers: Record<string, string | number | null> = {},
    ) {
      return send(
        'PATCH',
        target,
        { ...appendType, 'Upload-Offset': offset, 'Upload-Complete': complete ? '?1' : '?0', ...headers },
        body,
      );
    },
    cancel: (target: string) => send('DELETE', target, {}),
    /** An append that sends `data` and then nothing on an open socket: a client that vanished. */
    hangingAppend(target: string, offset: number, data: Buffer, declared: number): { close(): void } {
      const request = http.request(url(target), {
        method: 'PATCH',
        headers: {
          ...base,
          ...appendType,
          'Upload-Offset': offset,
          'Upload-Complete': '?1',
          'Content-Length': declared,
        },
      });
      request.on('error', () => {});
      request.write(data);
      return { close: () => request.destroy() };
    },
  };
}

export type DraftClient = ReturnType<typeof draftClient>;
