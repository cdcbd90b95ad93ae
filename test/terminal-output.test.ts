// `pnpm start` as a person sees it and as a machine reads it: on a terminal (a
// pseudo-terminal from util-linux `script`) the logs are pino-pretty lines and
// the URL with the token is highlighted; in a pipe every log line is JSON and
// the banner is plain text.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { apiRequest } from './support/api-client.ts';
import { programUnavailable } from './support/required-program.ts';
import {
  type RunningProcess,
  runServiceInTerminal,
  runServiceProcess,
  waitForOutput,
} from './support/service-process.ts';

const BANNER = /CSV upload service: (http:\/\/127\.0\.0\.1:\d+)\/#token=(cut_[\w-]+)\s*\n\s*API token/;

/** pino-pretty's "[12:34:56.789] INFO (pid): message". */
const LISTENING = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \((\d+)\): Server listening at (\S+)$/m;

function stopWhenDone(run: RunningProcess): void {
  onTestFinished(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
}

describe.skipIf(programUnavailable('script', 'apt-get install util-linux'))('pnpm start output', () => {
  let env: Record<string, string>;
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'csvup-terminal-'));
    env = { DATA_DIR: dataDir, PORT: '0', MIN_FREE_DISK_MB: '0', LOG_LEVEL: 'info' };
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is readable lines with a highlighted URL on a terminal', async () => {
    const run = await runServiceInTerminal(env);
    stopWhenDone(run);
    // Matched on the text without colours and carriage returns (a terminal ends lines with CR LF).
    const plain = () => stripVTControlCharacters(run.stdout()).replaceAll('\r', '');
    // The banner is written by the main thread, the pretty log lines by pino's transport
    // thread: on a loaded machine either can come first, so both are waited for.
    const deadline = Date.now() + 90_000;
    const ready = () => BANNER.test(plain()) && LISTENING.test(plain());
    while (!ready() && Date.now() < deadline && run.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    const [, url, token] = plain().match(BANNER) ?? [];
    expect(url, run.stdout()).toBeTruthy();
    // The whole URL, token included, in bold underlined green.
    expect(run.stdout()).toContain(`\u001b[1;4;32m${url}/#token=${token}\u001b[0m`);
    // The listening line in pino-pretty's form, in colour, and no JSON.
    const listening = plain().match(LISTENING);
    expect(listening?.[2], run.stdout()).toBe(url);
    expect(run.stdout()).toContain('\u001b[32mINFO\u001b[39m');
    expect(plain()).not.toMatch(/^\{"level"/m);
    expect((await apiRequest(url as string, '/api/uploads', token as string)).status).toBe(200);
    // Stopped like Ctrl-C's SIGINT would, by the service's own pid from its log line.
    process.kill(Number(listening?.[1]), 'SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('is JSON lines and a plain banner in a pipe', async () => {
    const run = await runServiceProcess(env);
    stopWhenDone(run);
    const [, url, token] = await waitForOutput(run, BANNER, 90_000);
    const text = run.stdout();
    expect(text).not.toContain('\u001b[');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const banner = lines.filter((line) => !line.startsWith('{'));
    expect(banner).toEqual([`CSV upload service: ${url}/#token=${token}`, `  API token (owner "dev"): ${token}`]);
    const logs = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    expect(logs.map((line) => line.msg)).toContain(`Server listening at ${url}`);
    expect(logs.every((line) => typeof line.level === 'number' && typeof line.time === 'number')).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
