// `pnpm cli upload <file...>`: reads the arguments, uploads, prints a result
// line per file (--json) or a summary table, and returns the exit code:
// 0 all done, 1 any upload or import failed, 2 usage error, 130 interrupted.
import type { CliOutput } from '../run-cli.ts';
import { checkFilesExist, readMappingFile, resolveToken } from './command-inputs.ts';
import { succeeded } from './file-result.ts';
import { createBarDisplay } from './progress-bars.ts';
import { type ProgressDisplay, silentDisplay } from './progress-display.ts';
import { createLineDisplay } from './progress-lines.ts';
import { ServiceError } from './service-api.ts';
import { formatSummaryTable } from './summary-table.ts';
import { parseUploadArguments, UPLOAD_USAGE } from './upload-arguments.ts';
import { uploadFiles } from './upload-files.ts';
import { defaultCacheDir } from './upload-url-store.ts';

export async function uploadCommand(
  args: string[],
  env: Record<string, string | undefined>,
  out: CliOutput,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    out.stdout(UPLOAD_USAGE);
    return 0;
  }
  const parsed = parseUploadArguments(args, env);
  await checkFilesExist(parsed.files);
  const metadata = { ...parsed.metadata };
  if (parsed.mappingFile) metadata.mapping = await readMappingFile(parsed.mappingFile);
  const token = await resolveToken(parsed.token, parsed.server, env);

  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const createDisplay = (totalBytes: number): ProgressDisplay => {
    if (parsed.quiet) return silentDisplay;
    if (out.terminal) return createBarDisplay(out.terminal, totalBytes);
    return createLineDisplay(out.stderr, totalBytes, Number(env.UPLOAD_PROGRESS_INTERVAL_MS) || undefined);
  };
  try {
    const results = await uploadFiles(
      {
        files: parsed.files,
        server: parsed.server,
        token,
        chunkSize: parsed.chunkSize,
        parallel: parsed.parallel,
        metadata,
        wait: parsed.wait,
        review: parsed.review,
        checksum: parsed.checksum,
        cacheDir: defaultCacheDir(env),
        signal: interrupt.signal,
      },
      { createDisplay, onResult: (result) => parsed.json && out.stdout(`${JSON.stringify(result)}\n`) },
    );
    if (!parsed.json) out.stdout(formatSummaryTable(results));
    if (interrupt.signal.aborted) {
      out.stderr('interrupted: run the same command again to continue where it stopped\n');
      return 130;
    }
    return results.every(succeeded) ? 0 : 1;
  } catch (error) {
    // The server is unreachable or refuses the token: nothing was sent.
    if (!(error instanceof ServiceError)) throw error;
    out.stderr(`${error.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
