// `pnpm cli token create <owner> [--label text]` prints only the new token, so
// scripts can capture it (TOKEN=$(pnpm -s cli token create alice));
// `token list` shows every token without secrets; `token revoke <id>` ends one.
import { createToken, listTokens, revokeToken, type TokenListing } from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';
import type { CliOutput } from './run-cli.ts';
import { UsageError } from './usage-error.ts';
import { withDatabase } from './with-database.ts';

const OWNER = /^[A-Za-z0-9._@-]{1,128}$/;
const USAGE = 'usage: pnpm cli token create <owner> [--label text] | token list | token revoke <id>';

function formatListing(tokens: TokenListing[]): string {
  const date = (value: Date | null) => (value ? value.toISOString().slice(0, 19).replace('T', ' ') : '-');
  const rows = [
    ['id', 'owner', 'label', 'created', 'last used', 'status'],
    ...tokens.map((t) => [
      String(t.id),
      t.owner,
      t.label ?? '-',
      date(t.createdAt),
      date(t.lastUsedAt),
      t.revokedAt ? `revoked ${date(t.revokedAt)}` : 'active',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function tokenCommand(config: Readonly<Config>, args: string[], out: CliOutput): Promise<void> {
  const [action, subject, ...rest] = args;
  if (action === 'list') {
    const tokens = await withDatabase(config, ({ db }) => listTokens(db));
    out.stdout(`${formatListing(tokens)}\n`);
    return;
  }
  if (action === 'revoke') {
    const id = Number(subject);
    if (!subject || !Number.isSafeInteger(id) || id <= 0)
      throw new UsageError('usage: pnpm cli token revoke <id> (ids are in `token list`)');
    const revoked = await withDatabase(config, ({ db }) => revokeToken(db, id));
    if (!revoked) throw new UsageError(`No active token with id ${id}`);
    out.stderr(`token ${id} revoked\n`);
    return;
  }
  if (action !== 'create') throw new UsageError(USAGE);
  if (!subject || !OWNER.test(subject)) {
    throw new UsageError('The owner must be 1-128 letters, digits, dots, dashes, underscores or @');
  }
  const labelIndex = rest.indexOf('--label');
  const label = labelIndex >= 0 ? (rest[labelIndex + 1] ?? null) : null;
  const { token } = await withDatabase(config, ({ db }) => createToken(db, config.tokenPepper, subject, label));
  out.stdout(`${token}\n`);
}
