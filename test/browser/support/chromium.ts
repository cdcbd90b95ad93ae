// Real Chromium for the browser suites (Debian's package, driven by
// playwright-core). Locally a missing browser skips the suites with a message
// saying what to install; with CI=true the suites fail instead.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the suite should be skipped; prints why. In CI a missing browser is an error instead. */
export function chromiumUnavailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return false;
  const message = `Chromium is not installed at ${CHROMIUM_PATH}: install chromium (apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`);
  process.stderr.write(`\n${message}\nThe browser suites are SKIPPED.\n\n`);
  return true;
}

export interface BrowserSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context (its own profile directory), as a person's browser keeps localStorage and IndexedDB. */
export async function launchChromium(): Promise<BrowserSession> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'csvup-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
