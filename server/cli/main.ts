// `pnpm cli <command>`: token, migrate (and upload, once the uploader lands).
import { DirectoryBusyError } from '../../db/directory-lock.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { tokenCommand } from './token-command.ts';
import { UsageError } from './usage-error.ts';
import { withDatabase } from './with-database.ts';
import { migrateToLatest } from '../../db/migrate.ts';

const HELP = `usage: pnpm cli <command>
  token create <owner> [--label text]   create an API token; prints only the token
  migrate                               apply database migrations
`;

async function run(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const config = loadConfig(process.env);
  switch (command) {
    case 'token':
      return tokenCommand(config, args);
    case 'migrate': {
      const report = await withDatabase(config, ({ db }) => migrateToLatest(db));
      process.stderr.write(report.applied.length ? `applied: ${report.applied.join(', ')}\n` : 'already up to date\n');
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(HELP);
      return;
    default:
      throw new UsageError(`unknown command "${command}"\n${HELP}`);
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof DirectoryBusyError;
    process.stderr.write(`${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(known ? 2 : 1);
  },
);
