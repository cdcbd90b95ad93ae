// Errors that end an import. The worker reads `permanent` to decide between
// failing the job for good and retrying it later.

/** The file itself cannot be imported (bad CSV, gone from disk): retrying cannot help. */
export class ImportFileError extends Error {
  readonly permanent = true;
  /** csv-parse's error code when the parser refused the file, e.g. `CSV_QUOTE_NOT_CLOSED`. */
  readonly code: string | undefined;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ImportFileError';
    this.code = options.code;
  }
}

/** The import was asked to stop; every batch committed before that stays committed. */
export class ImportCancelledError extends Error {
  constructor(message = 'The import was cancelled') {
    super(message);
    this.name = 'ImportCancelledError';
  }
}
