// An S3-compatible server on loopback for one test file: s3rver (an npm
// devDependency) in a temporary directory, with one bucket.
//
// s3rver 3.7.1 lacks two multipart operations @tus/s3-store relies on:
// ListParts (GET /bucket/key?uploadId=…, called on every PATCH and HEAD to
// learn the offset) and AbortMultipartUpload (DELETE /bucket/key?uploadId=…,
// called when an unfinished upload is deleted); it answers both with 405
// MethodNotAllowed. They are answered here from the parts s3rver keeps on disk
// (<bucket>/._S3rver_uploads/<uploadId>/<partNumber> + .md5), before its router.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3 } from '@aws-sdk/client-s3';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** The service's S3_* variables for this server. */
  env: Record<string, string>;
  client: S3;
  stop(): Promise<void>;
}

/** The little of Koa's context the shim touches. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

interface S3rverInstance {
  middleware: Middleware[];
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function xmlError(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function listParts(ctx: KoaContext, uploadDir: string, bucket: string, key: string, uploadId: string) {
  const names = await readdir(uploadDir);
  const numbers = names
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  const parts = await Promise.all(
    numbers.map(async (number) => {
      const path = join(uploadDir, String(number));
      const [info, md5] = await Promise.all([stat(path), readFile(`${path}.md5`, 'utf8')]);
      return `<Part><PartNumber>${number}</PartNumber><LastModified>${info.mtime.toISOString()}</LastModified><ETag>"${md5}"</ETag><Size>${info.size}</Size></Part>`;
    }),
  );
  ctx.status = 200;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`;
}

/** ListParts and AbortMultipartUpload on s3rver's own storage layout. */
function multipartShim(directory: string): Middleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const [, bucket, ...keyParts] = ctx.path.split('/');
    const handles = (ctx.method === 'GET' || ctx.method === 'DELETE') && typeof uploadId === 'string';
    if (!handles || !bucket || keyParts.length === 0 || !/^[0-9a-f]+$/.test(uploadId)) return next();
    const uploadDir = join(directory, bucket, '._S3rver_uploads', uploadId);
    // Completed (s3rver then deletes the folder) or aborted uploads are gone, as on S3.
    if (!(await stat(uploadDir).catch(() => undefined))) {
      return xmlError(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    if (ctx.method === 'DELETE') {
      await rm(uploadDir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    await listParts(ctx, uploadDir, bucket, decodeURIComponent(keyParts.join('/')), uploadId);
  };
}

export async function startLocalS3(bucket = 'csv-uploads'): Promise<LocalS3> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(join(tmpdir(), 'csvup-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  // Koa composes its middleware when it starts listening: the shim goes first.
  server.middleware.unshift(multipartShim(directory));
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  return {
    endpoint,
    bucket,
    env: {
      STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    client,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
