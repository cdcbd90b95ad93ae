// An HTTP proxy (node:http) between a tus client and the service, for the
// checksum suites: it records every request the service gets (with the sha256
// of the body as the client sent it), can flip a byte of chosen PATCH bodies on
// the way, and can hide the checksum extension from OPTIONS answers so the
// service looks like an older tus server. Bodies stream through; nothing is held.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { Transform } from 'node:stream';

export interface TusProxyOptions {
  /** The service's base URL, e.g. http://127.0.0.1:1234. */
  target: string;
  /** Flip the first body byte of the PATCHes this says yes to (1-based count of PATCHes). */
  corruptPatch?: (patchNumber: number) => boolean;
  /** Drop `checksum`/`checksum-trailer` from Tus-Extension and Tus-Checksum-Algorithm from OPTIONS answers. */
  hideChecksum?: boolean;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  uploadOffset: string | undefined;
  uploadChecksum: string | undefined;
  /** Body bytes as the client sent them (before any damage). */
  bodyLength: number;
  /** sha256 (base64) of the body as the client sent it. */
  bodySha256: string;
  /** A byte was flipped before the service saw it. */
  corrupted: boolean;
  /** The service's answer; 0 when none came. */
  status: number;
}

export interface TusProxy {
  baseUrl: string;
  requests: ProxiedRequest[];
  patches(): ProxiedRequest[];
  close(): Promise<void>;
}

/** Passes bytes through, hashing them as they came and flipping the very first one when told to. */
function bodyTap(record: ProxiedRequest, corrupt: boolean): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(piece: Buffer, _encoding, done) {
      hash.update(piece);
      let out = piece;
      if (corrupt && record.bodyLength === 0 && piece.length > 0) {
        out = Buffer.from(piece);
        out[0] = (out[0] as number) ^ 0xff;
        record.corrupted = true;
      }
      record.bodyLength += piece.length;
      done(null, out);
    },
    flush(done) {
      record.bodySha256 = hash.digest('base64');
      done();
    },
  });
}

function withoutChecksum(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const { 'tus-checksum-algorithm': _dropped, ...rest } = headers;
  const extensions = String(headers['tus-extension'] ?? '')
    .split(',')
    .filter((name) => !name.trim().startsWith('checksum'));
  return { ...rest, 'tus-extension': extensions.join(',') };
}

export async function startTusProxy(options: TusProxyOptions): Promise<TusProxy> {
  const target = new URL(options.target);
  const requests: ProxiedRequest[] = [];
  let patchCount = 0;

  function relay(incoming: IncomingMessage, outgoing: ServerResponse): void {
    const method = incoming.method ?? 'GET';
    const record: ProxiedRequest = {
      method,
      path: incoming.url ?? '/',
      uploadOffset: incoming.headers['upload-offset'] as string | undefined,
      uploadChecksum: incoming.headers['upload-checksum'] as string | undefined,
      bodyLength: 0,
      bodySha256: '',
      corrupted: false,
      status: 0,
    };
    requests.push(record);
    const corrupt = method === 'PATCH' && (options.corruptPatch?.(++patchCount) ?? false);
    // The Host header goes through unchanged, so upload URLs the service builds point back here.
    const upstream = forward({
      host: target.hostname,
      port: target.port,
      method,
      path: record.path,
      headers: incoming.headers,
    });
    upstream.on('response', (answer) => {
      record.status = answer.statusCode ?? 0;
      const headers = method === 'OPTIONS' && options.hideChecksum ? withoutChecksum(answer.headers) : answer.headers;
      outgoing.writeHead(record.status, headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.on('error', () => upstream.destroy());
    incoming.pipe(bodyTap(record, corrupt)).pipe(upstream);
  }

  const server = createServer(relay);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    requests,
    patches: () => requests.filter((r) => r.method === 'PATCH'),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
