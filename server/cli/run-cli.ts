// `pnpm cli <command>`: dispatches to the commands and turns their failures
// into exit codes (2 for a mistake the user can fix, 1 for anything else).
import { DirectoryBusyError } from '../../db/directory-lock.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import type { Env } from '../config/parse-env.ts';
import { tokenCommand } from './token-command.ts';
import { uploadCommand } from './upload/upload-command.ts';
import { UsageError } from './usage-error.ts';
import { withDatabase } from './with-database.ts';

export const HELP = `usage: pnpm cli <command>
  token create <owner> [--label text]   create an API token; prints only the token
  migrate                               apply database migrations
  upload <file...> [options]            upload files over tus and wait for their imports
                                        (pnpm cli upload --help for the options)
`;

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr when it is a terminal: the upload progress is drawn as bars there. */
  terminal?: NodeJS.WritableStream;
}

async function dispatch(argv: string[], env: Env, out: CliOutput): Promise<void> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help') return out.stdout(HELP);
  const config = loadConfig(env);
  if (command === 'token') return tokenCommand(config, args, out);
  if (command === 'migrate') {
    const report = await withDatabase(config, ({ db }) => migrateToLatest(db), { migrate: false });
    return out.stderr(report.applied.length ? `applied: ${report.applied.join(', ')}\n` : 'already up to date\n');
  }
  throw new UsageError(`unknown command "${command}"\n${HELP}`);
}

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: string[], env: Env, out: CliOutput): Promise<number> {
  try {
    // Before loadConfig: the uploader is an HTTP client that needs none of the server's
    // settings, and it has its own exit codes (1 when any file failed).
    if (argv[0] === 'upload') return await uploadCommand(argv.slice(1), env, out);
    await dispatch(argv, env, out);
    return 0;
  } catch (error) {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof DirectoryBusyError;
    out.stderr(`${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    return known ? 2 : 1;
  }
}
