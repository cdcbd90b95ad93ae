// `pnpm start`: serves the API, tus, the web UI and an in-process worker.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevelopmentToken } from './auth/development-token.ts';
import { loadConfig } from './config/config.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';
import { isTerminal, startUpBanner } from './start-up-banner.ts';
import { exitOnStartUpError, onShutdownSignal } from './start-up-error.ts';
import { ensureWebBuild } from './web/ensure-web-build.ts';

const WEB_DIR = fileURLToPath(new URL('../web', import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  // The API and tus work without the page: a failed build is logged, not fatal.
  await ensureWebBuild({ webDir: WEB_DIR, logger }).catch((error: unknown) =>
    logger.error({ err: error }, 'the web UI could not be built; serving the API without it'),
  );
  const service = await startService(config, { logger, webRoot: join(WEB_DIR, 'dist') });
  onShutdownSignal(() => service.stop());
  const address = await service.app.listen({ host: config.host, port: config.port });
  const url = address.replace('[::1]', 'localhost');
  const token =
    service.database.kind === 'embedded'
      ? await ensureDevelopmentToken(service.database.db, config.tokenPepper, config.dataDir)
      : undefined;
  process.stdout.write(startUpBanner({ url, token, terminal: isTerminal(process.stdout) }));
}

main().catch(exitOnStartUpError);
