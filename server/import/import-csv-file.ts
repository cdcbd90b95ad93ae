// The streaming CSV import run by the job worker: sniff the file's format, then
// file → sha256 → UTF-8 → CsvRecordParser → rows/errors in batches committed
// through a BatchSink, resumable from the last checkpoint (a byte offset of the file).
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream';
import { detectSourceFormat } from './format/detect-source-format.ts';
import { type ImportCheckpoint, rowsRejectedIn } from './import-checkpoint.ts';
import { ImportFileError } from './import-errors.ts';
import type { ImportSettings } from './import-settings.ts';
import { type ImportSummary, summarise } from './import-summary.ts';
import { CsvRecordParser, CsvSyntaxError } from './parse/csv-record-parser.ts';
import { describeParseError } from './parse/parse-error-message.ts';
import { BatchAssembler } from './rows/batch-assembler.ts';
import { BatchCommitter } from './sink/batch-committer.ts';
import type { BatchSink } from './sink/batch-sink.ts';
import { copyCsvFormatFor } from './sink/copy-csv.ts';
import { PiecePool } from './sink/piece-pool.ts';
import { hashFilePrefix } from './source/hash-file-prefix.ts';
import { fileImportSource, type ImportSource } from './source/import-source.ts';
import { readSample, SAMPLE_BYTES } from './source/read-sample.ts';
import { SourceDecoder } from './source/source-decoder.ts';

export { ImportCancelledError, ImportFileError } from './import-errors.ts';
export type { ImportSummary } from './import-summary.ts';
export { LeaseLostError } from './sink/batch-sink.ts';

export interface ImportOptions {
  uploadId: string;
  /** Where the bytes are: a local file or an object store. */
  source?: ImportSource;
  /** Shorthand for `source: fileImportSource(filePath)`. */
  filePath?: string;
  /** Resume point from a previous attempt, or null to start at byte 0. */
  checkpoint: ImportCheckpoint | null;
  /** Delimiter, encoding, header, mapping and error policy from the upload metadata. */
  settings?: ImportSettings;
  /** Longest record, bytes (default 1 MiB = 1048576): a longer one is rejected, an open quote running past it is fatal. */
  maxRecordSize?: number;
  /** Rows per committed batch (default 50000) and a byte cap per batch (default 4 MiB of raw CSV), whichever comes first. */
  batchRows?: number;
  batchBytes?: number;
  /** Aborting stops at the next batch boundary (the batches before it commit); the promise then rejects with an ImportCancelledError. */
  signal?: AbortSignal;
}

const MISSING_FILE = 'The uploaded file is no longer in storage';
/** Bytes parsed before their records are added to the batch. */
const PARSE_SLICE_BYTES = 64 * 1024;

export async function importCsvFile(options: ImportOptions, sink: BatchSink): Promise<ImportSummary> {
  const startedAt = performance.now();
  const settings = options.settings ?? {};
  const maxRecordSize = options.maxRecordSize ?? 1024 * 1024;
  // A checkpoint is only ever written after the header, so it always names the columns.
  const resume = options.checkpoint && options.checkpoint.columns.length > 0 ? options.checkpoint : null;
  const input = importSourceOf(options);
  const bytesTotal = await input.size().catch(rethrowMissing);
  if (bytesTotal < (resume?.byteOffset ?? 0))
    throw new ImportFileError('The file is shorter than the checkpoint of the previous attempt');
  const sample = await readSample(input).catch(rethrowMissing);
  const format = detectSourceFormat(sample, bytesTotal <= SAMPLE_BYTES, settings);
  const startOffset = resume?.byteOffset ?? format.encoding.bomBytes;

  const hash = createHash('sha256');
  let bytesRead = await hashFilePrefix(hash, input, startOffset).catch(rethrowMissing);
  // The parser counts offsets in the UTF-8 stream, from 0 at startOffset.
  const decoder = new SourceDecoder(format.encoding.encoding, startOffset, (chunk) => {
    hash.update(chunk);
    bytesRead += chunk.length;
  });
  const pieces = new PiecePool();
  const copyFormat = copyCsvFormatFor(format.dialect);
  const committer = new BatchCommitter(
    sink,
    copyFormat,
    options.signal,
    (piece) => pieces.give(piece),
    () => assembler.storedColumns,
  );
  const assembler = new BatchAssembler(
    {
      columns: resume?.columns ?? null,
      header: resume?.header ?? null,
      recordNumber: resume?.recordNumber ?? 0,
      rowsRejected: rowsRejectedIn(resume),
      lineNumber: resume?.lineNumber ?? 1,
    },
    // Large batches: each commit costs a few round trips and a pause in the overlap of
    // parsing and COPY (10,000-row batches made a 200 MB import 1.6× slower).
    { rows: options.batchRows ?? 50_000, bytes: options.batchBytes ?? 4 * 1024 * 1024 },
    {
      headerPresent: format.dialect.header,
      titleLines: format.dialect.titleLines,
      headerTrailingDelimiter: format.dialect.headerTrailingDelimiter,
      mapping: settings.mapping ?? null,
      errorPolicy: settings.errorPolicy ?? {},
      format: copyFormat,
      toSourceOffset: (offset) => decoder.toSourceOffset(offset),
    },
    (piece) => committer.write(piece),
    pieces,
  );
  const { delimiter, quote } = format.dialect;
  const parser = new CsvRecordParser(
    // Verbatim records are only worth finding where they are stored as they are.
    {
      delimiter,
      quote,
      escape: format.dialect.escape,
      maxRecordSize,
      verbatim: copyFormat.verbatim,
    },
    resume?.lineNumber ?? 1,
  );
  const source = input.openRange(startOffset);
  // A read error of the source reaches the loop below through the decoder.
  pipeline(source, decoder, () => {});

  /** Adds parsed records, completing each full batch (its rows are already on their way); false once the policy stops. */
  function addRecords(records: ReturnType<CsvRecordParser['push']>): boolean {
    for (const record of records) {
      assembler.add(record);
      // Verbatim records are only worth finding where they can be stored as they are.
      if (assembler.shaper !== null && assembler.shaper.verbatim === null) parser.stopLookingForVerbatim();
      if (assembler.stopReason !== null) return false;
      if (assembler.isFull) {
        committer.close(assembler.take(bytesTotal, startOffset));
        committer.throwIfStopped();
      }
    }
    return true;
  }

  try {
    let going = true;
    for await (const chunk of decoder) {
      // A slice at a time: the records of a whole read chunk, alive at once, outlived
      // young-generation collections and were promoted, costing memory and time.
      for (let start = 0; going && start < chunk.length; start += PARSE_SLICE_BYTES)
        going = addRecords(parser.push((chunk as Buffer).subarray(start, start + PARSE_SLICE_BYTES)));
      if (!going) break;
      await committer.backpressure();
    }
    if (going && addRecords(parser.end())) assembler.finish();
    // Rows and errors read so far are committed even when the policy stops the import: the report shows why.
    if (assembler.pending > 0) committer.close(assembler.take(bytesTotal, startOffset));
    await committer.settle();
    if (assembler.stopReason !== null) throw new ImportFileError(assembler.stopReason, { code: 'TOO_MANY_ROW_ERRORS' });
  } catch (error) {
    await committer.abandon();
    if (error instanceof CsvSyntaxError) {
      // The parser stops on an open quote only: at the end of the file, or when the record outgrew the limit.
      throw new ImportFileError(describeParseError(error, maxRecordSize), {
        code: error.code,
        cause: error,
      });
    }
    rethrowMissing(error);
  } finally {
    source.destroy();
    decoder.destroy();
  }

  return summarise({
    assembler,
    refusedByDatabase: committer.refusedByDatabase,
    format,
    bytes: bytesRead,
    sha256: hash.digest('hex'),
    durationMs: Math.round(performance.now() - startedAt),
  });
}

function importSourceOf(options: ImportOptions): ImportSource {
  if (options.source) return options.source;
  if (options.filePath !== undefined) return fileImportSource(options.filePath);
  throw new TypeError('importCsvFile needs a source or a filePath');
}

function rethrowMissing(error: unknown): never {
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
    throw new ImportFileError(MISSING_FILE, { code: 'ENOENT', cause: error });
  }
  throw error;
}
