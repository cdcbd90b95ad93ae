// An upload's bytes in S3 as an ImportSource: its size from HeadObject, and each
// ranged read as one GetObject with a Range header whose body is streamed
// through (with backpressure), never held in memory whole.
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ImportSource } from './import-source.ts';

/**
 * The commands used, from the SDK module the caller imported. Importing them
 * here would put the whole SDK into the worker's bundle even in file mode:
 * bundling turns this module's lazy import into an eager one.
 */
export type S3ReadCommands = Pick<typeof import('@aws-sdk/client-s3'), 'GetObjectCommand' | 'HeadObjectCommand'>;

// As for files: large reads keep per-chunk overhead small.
const READ_CHUNK_BYTES = 256 * 1024;

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
}

/** The importer treats ENOENT as "the bytes are gone" (deleted upload): say so in its terms. */
function explain(error: unknown, bucket: string, key: string): unknown {
  const name = errorName(error);
  if (name !== 'NoSuchKey' && name !== 'NotFound') return error;
  return Object.assign(new Error(`s3://${bucket}/${key} does not exist`), { code: 'ENOENT', cause: error });
}

export function s3ImportSource(
  { GetObjectCommand, HeadObjectCommand }: S3ReadCommands,
  client: S3Client,
  bucket: string,
  key: string,
): ImportSource {
  return {
    async size() {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return head.ContentLength ?? 0;
      } catch (error) {
        throw explain(error, bucket, key);
      }
    },
    openRange(start, end) {
      const output = new PassThrough({ highWaterMark: READ_CHUNK_BYTES });
      if (end !== undefined && end <= start) return output.end();
      // The reader may give up early (a cancelled job): the request must not outlive it.
      const abort = new AbortController();
      output.once('close', () => abort.abort());
      const range = `bytes=${start}-${end === undefined ? '' : end - 1}`;
      client
        .send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }), { abortSignal: abort.signal })
        .then(({ Body }) => pipeline(Body as Readable, output))
        .catch((error: unknown) => {
          // Reading from the very end (an import resumed after its last record) is empty, not an error.
          if (errorName(error) === 'InvalidRange') output.end();
          else output.destroy(explain(error, bucket, key) as Error);
        });
      return output;
    },
  };
}
