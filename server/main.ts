// `pnpm start`: serves the API, tus, the web UI and an in-process worker.
import { fileURLToPath } from 'node:url';
import { ensureDevelopmentToken } from './auth/development-token.ts';
import { loadConfig } from './config/config.ts';
import { createLogger } from './logger.ts';
import { startService } from './service.ts';
import { exitOnStartUpError, onShutdownSignal } from './start-up-error.ts';

const WEB_ROOT = fileURLToPath(new URL('../web/public', import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const service = await startService(config, { logger, webRoot: WEB_ROOT });
  onShutdownSignal(() => service.stop());
  const address = await service.app.listen({ host: config.host, port: config.port });
  const url = address.replace('[::1]', 'localhost');
  if (service.database.kind === 'embedded') {
    const token = await ensureDevelopmentToken(service.database.db, config.tokenPepper, config.dataDir);
    process.stdout.write(`\nCSV upload service: ${url}/#token=${token}\n  API token (owner "dev"): ${token}\n\n`);
  } else {
    process.stdout.write(`\nCSV upload service: ${url}\n  Create a token with: pnpm cli token create <owner>\n\n`);
  }
}

main().catch(exitOnStartUpError);
