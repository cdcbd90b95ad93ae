// Builds web/dist once per run when it is missing or older than its sources,
// with the same code `pnpm start` uses.
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from '../../../server/web/ensure-web-build.ts';

export const WEB_DIR = fileURLToPath(new URL('../../../web', import.meta.url));
export const WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export async function buildWebOnce(): Promise<void> {
  await ensureWebBuild({ webDir: WEB_DIR });
}
