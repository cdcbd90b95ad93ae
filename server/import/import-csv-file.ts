// The streaming CSV import run by the job worker: file → sha256 + csv-parse →
// batches committed through a BatchSink, resumable from the last checkpoint.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import { CsvError } from 'csv-parse';
import type { JobCheckpoint } from '../../db/schema.ts';
import { BatchAssembler } from './batch-assembler.ts';
import { BatchCommitter } from './batch-committer.ts';
import { type BatchSink, rowsRejectedIn } from './batch-sink.ts';
import { hashFilePrefix } from './hash-file-prefix.ts';
import { ImportFileError } from './import-errors.ts';
import { OffsetParser, type ParsedRecord } from './offset-parser.ts';
import { describeParseError } from './parse-error-message.ts';
import { buildParserOptions } from './parser-options.ts';
import { readRecordGroups } from './read-record-groups.ts';
import { RecordLocator } from './record-locator.ts';

export { LeaseLostError } from './batch-sink.ts';
export { ImportCancelledError, ImportFileError } from './import-errors.ts';

export interface ImportOptions {
  uploadId: string;
  filePath: string;
  /** Resume point from a previous attempt, or null to start at byte 0. */
  checkpoint: JobCheckpoint | null;
  /** csv-parse max_record_size, bytes (default 1 MiB = 1048576). */
  maxRecordSize?: number;
  /** Rows per committed batch (default 10000) and a byte cap per batch (default 8 MiB of raw CSV), whichever comes first. */
  batchRows?: number;
  batchBytes?: number;
  /** Aborting stops at the next batch boundary (already committed batches stay); the promise then rejects with an ImportCancelledError. */
  signal?: AbortSignal;
}

export interface ImportSummary {
  rows: number;
  rowsRejected: number;
  columns: string[];
  bytes: number;
  sha256: string;
  durationMs: number;
}

const MISSING_FILE = 'The uploaded file is no longer on disk';
// Large reads keep per-chunk overhead (stream hops, buffer joins in the parser) small.
const READ_CHUNK_BYTES = 256 * 1024;

export async function importCsvFile(options: ImportOptions, sink: BatchSink): Promise<ImportSummary> {
  const startedAt = performance.now();
  const maxRecordSize = options.maxRecordSize ?? 1024 * 1024;
  // A checkpoint is only ever written after the header, so it always names the columns.
  const resume = options.checkpoint && options.checkpoint.columns.length > 0 ? options.checkpoint : null;
  const startOffset = resume?.byteOffset ?? 0;
  const bytesTotal = await fileSize(options.filePath);
  if (bytesTotal < startOffset)
    throw new ImportFileError('The file is shorter than the checkpoint of the previous attempt');

  const hash = createHash('sha256');
  let bytesRead = await hashFilePrefix(hash, options.filePath, startOffset).catch(rethrowMissing);
  const locator = new RecordLocator(startOffset, resume?.lineNumber ?? 1);
  const assembler = new BatchAssembler(
    {
      columns: resume?.columns ?? null,
      recordNumber: resume?.recordNumber ?? 0,
      rowsRejected: rowsRejectedIn(resume),
      byteOffset: startOffset,
    },
    { rows: options.batchRows ?? 10_000, bytes: options.batchBytes ?? 8 * 1024 * 1024 },
    locator,
  );
  const committer = new BatchCommitter(sink, options.signal);

  const parser = new OffsetParser(buildParserOptions({ fromStart: startOffset === 0, maxRecordSize }));
  const source = createReadStream(options.filePath, { start: startOffset, highWaterMark: READ_CHUNK_BYTES });
  // Hashing and locating see every byte exactly as the parser will.
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytesRead += chunk.length;
      locator.append(chunk);
      callback(null, chunk);
    },
  });
  // Any stream's error is passed on to the parser, where readRecordGroups reports it.
  pipeline(source, tap, parser, () => {});

  try {
    for await (const group of readRecordGroups<ParsedRecord>(parser)) {
      committer.throwIfStopped();
      for (const record of group) {
        assembler.add(record, startOffset);
        if (assembler.isFull) await committer.submit(assembler.take(bytesTotal, startOffset));
      }
    }
    if (assembler.pending > 0) await committer.submit(assembler.take(bytesTotal, startOffset));
    await committer.settle();
  } catch (error) {
    await committer.drain();
    if (error instanceof CsvError) {
      const line = locator.lineOfRecordAfter(startOffset + parser.lastRecordEnd);
      throw new ImportFileError(describeParseError(error.code, line, maxRecordSize), {
        code: error.code,
        cause: error,
      });
    }
    rethrowMissing(error);
  } finally {
    source.destroy();
    parser.destroy();
  }

  return {
    rows: assembler.recordNumber - assembler.rowsRejected,
    rowsRejected: assembler.rowsRejected,
    columns: assembler.columns,
    bytes: bytesRead,
    sha256: hash.digest('hex'),
    durationMs: Math.round(performance.now() - startedAt),
  };
}

async function fileSize(filePath: string): Promise<number> {
  const stats = await stat(filePath).catch(rethrowMissing);
  return stats.size;
}

function rethrowMissing(error: unknown): never {
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
    throw new ImportFileError(MISSING_FILE, { code: 'ENOENT', cause: error });
  }
  throw error;
}
