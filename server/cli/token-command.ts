// `pnpm cli token create <owner> [--label text]`: prints only the new token,
// so scripts can capture it (TOKEN=$(pnpm -s cli token create alice)).
import { createToken } from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';
import type { CliOutput } from './run-cli.ts';
import { UsageError } from './usage-error.ts';
import { withDatabase } from './with-database.ts';

const OWNER = /^[A-Za-z0-9._@-]{1,128}$/;

export async function tokenCommand(config: Readonly<Config>, args: string[], out: CliOutput): Promise<void> {
  const [action, owner, ...rest] = args;
  if (action !== 'create') throw new UsageError('usage: pnpm cli token create <owner> [--label text]');
  if (!owner || !OWNER.test(owner)) {
    throw new UsageError('The owner must be 1-128 letters, digits, dots, dashes, underscores or @');
  }
  const labelIndex = rest.indexOf('--label');
  const label = labelIndex >= 0 ? (rest[labelIndex + 1] ?? null) : null;
  const { token } = await withDatabase(config, ({ db }) => createToken(db, config.tokenPepper, owner, label));
  out.stdout(`${token}\n`);
}
