// POST /api/uploads/:id/import: starts the import of an upload held for review
// (`review=true` metadata) with the options a person settled on while looking at
// its preview. The body takes the preview's query parameters as JSON; `mapping`
// may be the mapping object itself or its JSON text.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { appError, notFound } from '../errors.ts';
import { ImportFileError } from '../import/import-errors.ts';
import { type ImportOptionValues, importSettingsFromMetadata } from '../import/import-settings.ts';
import { previewImport } from '../import/preview-import.ts';
import type { UploadImportSources } from '../import/source/upload-import-sources.ts';
import { findJobForUpload } from '../queue/find-jobs.ts';
import type { JobSignal } from '../queue/job-signal.ts';
import { wantsReview } from '../review/review-hold.ts';
import { startReviewedImport } from '../review/start-reviewed-import.ts';
import { requireOwnedUpload } from '../uploads/owned-upload.ts';
import { findUpload } from '../uploads/upload-repository.ts';
import { presentUpload } from '../uploads/upload-view.ts';
import { requireOwnedUploadWithJob } from '../uploads/upload-with-job.ts';

export interface ImportRouteOptions {
  db: Kysely<Database>;
  jobSignal: JobSignal;
  jobMaxAttempts: number;
  importSources: UploadImportSources;
}

const MAX_OPTION_LENGTH = 65536;
const OPTION_KEYS = ['delimiter', 'quote', 'escape', 'encoding', 'header'] as const;
const KNOWN_KEYS = new Set<string>([...OPTION_KEYS, 'mapping']);

/** The options as text, `mapping` included (sent as an object, it is kept as its JSON text). */
type ImportBody = ImportOptionValues;

/**
 * The body, checked by hand after the owner check (so another owner's id answers 404
 * whatever is sent): a schema would refuse an empty body, and Fastify's validator drops
 * unknown keys silently, so a misspelt option ("delimeter") would import with the sniffed one.
 */
function checkBody(raw: unknown): ImportBody {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw appError('invalid_request', 'The body must be a JSON object');
  const body = raw as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0)
    throw appError(
      'invalid_request',
      `Unknown import options: ${unknown.join(', ')} (known: ${[...KNOWN_KEYS].join(', ')})`,
    );
  for (const key of OPTION_KEYS) {
    const value = body[key];
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_OPTION_LENGTH))
      throw appError('invalid_request', `"${key}" must be text of at most ${MAX_OPTION_LENGTH} characters`);
  }
  const { mapping } = body;
  if (mapping !== undefined && typeof mapping !== 'string' && (typeof mapping !== 'object' || mapping === null))
    throw appError('invalid_request', '"mapping" must be the mapping object or its JSON text');
  // The same bound as the mapping metadata of an upload, measured as it is stored.
  const text = typeof mapping === 'object' ? JSON.stringify(mapping) : mapping;
  if (text !== undefined && text.length > MAX_OPTION_LENGTH)
    throw appError('invalid_request', `"mapping" is longer than ${MAX_OPTION_LENGTH} characters`);
  return { ...(body as ImportBody), ...(text === undefined ? {} : { mapping: text }) };
}

/** The upload's metadata with the reviewed options laid over it; an empty option means "detect". */
function reviewedMetadata(stored: Record<string, string | null>, body: ImportBody): Record<string, string | null> {
  const metadata = { ...stored };
  const given: Record<string, string | undefined> = {
    ...Object.fromEntries(OPTION_KEYS.map((key) => [key, body[key]])),
    mapping: body.mapping,
  };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (value.trim() === '') delete metadata[key];
    else metadata[key] = value;
  }
  return metadata;
}

/** Why the upload is not (or no longer) held, read after the refused UPDATE. */
async function refusal(db: Kysely<Database>, id: string) {
  const upload = await findUpload(db, id);
  if (!upload) return notFound();
  if (!wantsReview(upload.metadata))
    return appError('conflict', 'This upload was not held for review (review=true): its import started by itself');
  const job = await findJobForUpload(db, upload.id);
  if (job) return appError('conflict', `The import of this upload has started already (it is ${job.state})`);
  return appError('conflict', `The upload is ${upload.state}: only a complete upload held for review can be imported`);
}

export async function importRoute(app: FastifyInstance, options: ImportRouteOptions): Promise<void> {
  const { db } = options;
  app.post<{ Params: { id: string }; Body: unknown }>('/api/uploads/:id/import', async (request, reply) => {
    const owner = request.owner as string;
    const upload = await requireOwnedUpload(db, owner, request.params.id);
    const body = checkBody(request.body);
    if (upload.state !== 'uploaded' || !wantsReview(upload.metadata)) throw await refusal(db, upload.id);
    const metadata = reviewedMetadata(upload.metadata, body);
    try {
      // A preview of one row checks the options against the file itself (a mapped column the
      // header lacks, an encoding that does not read it), so the person hears now, not from a failed job.
      await previewImport(options.importSources(upload.id), importSettingsFromMetadata(metadata), 1);
    } catch (error) {
      if (error instanceof ImportFileError) throw appError('invalid_request', error.message);
      throw error;
    }
    const jobId = await startReviewedImport(db, upload.id, metadata, options.jobMaxAttempts, request.id);
    if (jobId === null) throw await refusal(db, upload.id);
    await options.jobSignal.notify();
    request.log.info({ uploadId: upload.id, jobId }, 'reviewed import queued');
    const after = await requireOwnedUploadWithJob(db, owner, upload.id);
    return reply.code(202).send(presentUpload(after.upload, after.job));
  });
}
