// tus-js-client has no checksum option, so this HttpStack wraps its Node stack and
// adds `Upload-Checksum: <algorithm> <base64>` to every PATCH, computed over
// exactly the bytes that PATCH sends (the tus checksum extension).
import { createHash } from 'node:crypto';
import { createReadStream, ReadStream } from 'node:fs';
import * as tus from 'tus-js-client';

/** The algorithms the CLI can send, strongest first: the order it prefers them in. */
export const CLIENT_CHECKSUM_ALGORITHMS = ['sha256', 'sha1', 'md5'] as const;
export type ClientChecksumAlgorithm = (typeof CLIENT_CHECKSUM_ALGORITHMS)[number];

/** What tus-js-client's FileSource adds to the fs.ReadStream of one chunk (start/end are inclusive). */
type ChunkFileStream = ReadStream & { start?: number; end?: number };

/**
 * The digest of a PATCH body as tus-js-client hands it over in Node: a Buffer
 * (Buffer and generic-stream sources), or, for a file source, a fresh
 * fs.ReadStream over the chunk's byte range. The stream is not consumed: the
 * same range is read a first time, streaming, just for the hash, so memory stays
 * at a stream buffer whatever --chunk-size is (the second read mostly hits the
 * page cache). Had the file changed between the two reads, the server would see
 * a mismatch (460) rather than store bytes we never hashed.
 */
export async function digestOfBody(body: unknown, algorithm: ClientChecksumAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  if (body instanceof ReadStream) {
    const { path, start, end } = body as ChunkFileStream;
    for await (const piece of createReadStream(path, { start: start ?? 0, end: end ?? Number.POSITIVE_INFINITY })) {
      hash.update(piece as Buffer);
    }
  } else if (body instanceof Uint8Array) {
    hash.update(body);
  } else if (body !== null && body !== undefined) {
    throw new TypeError('cannot compute Upload-Checksum: the chunk is neither a Buffer nor a file stream');
  }
  return hash.digest('base64');
}

/** One request: sets Upload-Checksum just before sending a PATCH body, else passes through. */
class ChecksumRequest implements tus.HttpRequest {
  #aborted = false;

  constructor(
    private readonly inner: tus.HttpRequest,
    private readonly algorithm: ClientChecksumAlgorithm,
  ) {}

  getMethod(): string {
    return this.inner.getMethod();
  }
  getURL(): string {
    return this.inner.getURL();
  }
  setHeader(header: string, value: string): void {
    this.inner.setHeader(header, value);
  }
  getHeader(header: string): string | undefined {
    return this.inner.getHeader(header);
  }
  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.inner.setProgressHandler(handler);
  }
  getUnderlyingObject(): unknown {
    return this.inner.getUnderlyingObject();
  }

  async send(body: unknown): Promise<tus.HttpResponse> {
    // A POST carrying X-HTTP-Method-Override: PATCH sends a chunk too.
    const isPatch = this.getMethod() === 'PATCH' || this.getHeader('X-HTTP-Method-Override') === 'PATCH';
    if (isPatch) {
      const digest = await digestOfBody(body, this.algorithm);
      // Aborted while hashing: send nothing, and release the chunk's file.
      if (this.#aborted) {
        if (body instanceof ReadStream) body.destroy();
        throw new Error('request aborted');
      }
      this.inner.setHeader('Upload-Checksum', `${this.algorithm} ${digest}`);
    }
    return this.inner.send(body);
  }

  abort(): Promise<void> {
    this.#aborted = true;
    return this.inner.abort();
  }
}

/** tus-js-client's Node HttpStack, with a checksum on every PATCH. */
export class ChecksumHttpStack implements tus.HttpStack {
  constructor(
    readonly algorithm: ClientChecksumAlgorithm,
    private readonly inner: tus.HttpStack = new tus.DefaultHttpStack({}),
  ) {}

  createRequest(method: string, url: string): tus.HttpRequest {
    return new ChecksumRequest(this.inner.createRequest(method, url), this.algorithm);
  }

  getName(): string {
    return `ChecksumHttpStack(${this.algorithm}, ${this.inner.getName()})`;
  }
}
