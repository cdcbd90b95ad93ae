// How entry points report a failure to start: one readable line on stderr and
// a non-zero exit, instead of a stack trace, for errors a user can fix.
import { DirectoryBusyError } from '../db/directory-lock.ts';
import { ConfigError } from './config/config.ts';

export function exitOnStartUpError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DirectoryBusyError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

/** Calls `stop` once on SIGTERM or SIGINT, then exits; a second signal exits at once. */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal} received, shutting down\n`);
    stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
