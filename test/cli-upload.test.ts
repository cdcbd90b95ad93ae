// `pnpm cli upload` against a real server with real files: parallel uploads
// waited through to their imports, a failed import, usage errors, progress on
// a terminal and off it, a changed file and an upload gone from the server.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP, runCli } from '../server/cli/run-cli.ts';
import { silentDisplay } from '../server/cli/upload/progress-display.ts';
import { uploadFiles } from '../server/cli/upload/upload-files.ts';
import type { UploadView } from '../server/uploads/upload-view.ts';
import { apiRequest } from './support/api-client.ts';
import { sha256File, writeCsvFixture } from './support/csv-fixtures.ts';
import { rawRequest } from './support/raw-tus.ts';
import { ROOT } from './support/service-process.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from './support/test-service.ts';
import { capture, hasCursorControl, jsonLines, storedSha256 } from './support/upload-checks.ts';

const MiB = 1024 * 1024;

/** util-linux `script` runs a command on a pseudo-terminal: the only way to see the real bars. */
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) {
  const message = 'The terminal progress-bar test needs `script` (install util-linux).';
  if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`);
  process.stderr.write(`\n${message} It is SKIPPED.\n\n`);
}

describe.skipIf(databaseUnavailable())(`pnpm cli upload (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let work: string;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    harness = await startTestService();
    token = await harness.tokenFor('uploader');
    work = await mkdtemp(join(tmpdir(), 'csvup-cli-upload-'));
    cliEnv = { UPLOAD_CACHE_DIR: join(work, 'cache'), UPLOAD_PROGRESS_INTERVAL_MS: '100' };
  });
  afterAll(async () => {
    await harness?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const uploadArgs = (...files: string[]) => ['upload', ...files, '--server', harness.baseUrl, '--token', token];

  it('uploads three files in parallel, waits for their imports and prints a summary', async () => {
    const files = ['one.csv', 'two.csv', 'three.csv'].map((name) => join(work, name));
    const rows = await Promise.all(files.map((file, n) => writeCsvFixture(file, (n + 1) * 400_000)));
    const { out, io } = capture();
    const code = await runCli([...uploadArgs(...files), '--parallel', '3', '--chunk-size', '128k'], cliEnv, io);
    expect(out.stderr).not.toMatch(/Error|retry/);
    expect(code).toBe(0);

    const table = out.stdout.split('\n');
    expect(table[0]).toMatch(/^FILE\s+STATUS\s+SIZE\s+ROWS\s+REJECTED\s+DETAIL$/);
    files.forEach((file, n) => {
      expect(table[n + 1]).toMatch(new RegExp(`^${file}\\s+imported\\s+\\S+ [KM]iB\\s+${rows[n]}\\s+0\\b`));
      // The detail names the table the rows landed in.
      expect(table[n + 1]).toMatch(/into imports\.(one|two|three)_[0-9a-f]{8}$/);
    });
    expect(out.stdout).toContain('3 of 3 file(s) done\n');
    // Non-TTY progress: whole lines, no cursor movement.
    expect(out.stderr).toMatch(/^(one|two|three)\.csv +\d+%/m);
    expect(hasCursorControl(out.stderr)).toBe(false);

    const listed = await apiRequest<{ uploads: UploadView[] }>(harness.baseUrl, '/api/uploads', token);
    for (const [n, file] of files.entries()) {
      const upload = listed.body.uploads.find((u) => u.filename === file.split('/').pop());
      expect(upload?.state).toBe('processed');
      expect(upload?.job?.result).toMatchObject({ rows: rows[n] });
      expect(await storedSha256(harness.baseUrl, token, upload?.id as string)).toBe(await sha256File(file));
    }
  });

  it('sends --meta and --mapping as metadata; --no-wait returns once the bytes are in; --json is one object a line', async () => {
    const file = join(work, 'semicolons.csv');
    await writeFile(file, 'a;b\n1;2\n');
    const mapping = join(work, 'mapping.json');
    await writeFile(mapping, '{ "columns": [ { "source": "a", "name": "alpha" } ] }');
    const { out, io } = capture();
    const args = [...uploadArgs(file), '--meta', 'delimiter=;', '--meta', 'header=true', '--mapping', mapping];
    expect(await runCli([...args, '--no-wait', '--json', '--quiet'], cliEnv, io)).toBe(0);
    expect(out.stderr).toBe('');
    const [result, ...rest] = jsonLines(out.stdout);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ file, status: 'uploaded', size: 8, resumedFrom: 0, rowsImported: null });
    const upload = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${result?.id}`, token);
    expect(upload.body.metadata).toMatchObject({
      filename: 'semicolons.csv',
      filetype: 'text/csv',
      delimiter: ';',
      header: 'true',
      mapping: '{"columns":[{"source":"a","name":"alpha"}]}',
    });

    // Metadata the server refuses at creation: a final 4xx, shown, not retried.
    const refused = capture();
    expect(await runCli([...uploadArgs(file), '--meta', 'header=maybe', '--json'], cliEnv, refused.io)).toBe(1);
    const [failed] = jsonLines(refused.out.stdout);
    expect(failed).toMatchObject({ status: 'upload-failed', id: null });
    expect(failed?.error).toMatch(/header.*expected true or false.*\(400\)$/);
    expect(refused.out.stderr).not.toMatch(/retry/);
  });

  it('--review holds the file: returns once the bytes are in, points at the preview, and no job is queued', async () => {
    const file = join(work, 'held.csv');
    await writeFile(file, 'id,name\n1,one\n2,two\n');
    const { out, io } = capture();
    expect(await runCli([...uploadArgs(file), '--review', '--json', '--quiet'], cliEnv, io)).toBe(0);
    const [result] = jsonLines(out.stdout);
    expect(result).toMatchObject({
      status: 'awaiting-review',
      previewUrl: `${harness.baseUrl}/api/uploads/${result?.id}/preview`,
    });
    const upload = await apiRequest<UploadView>(harness.baseUrl, `/api/uploads/${result?.id}`, token);
    expect(upload.body).toMatchObject({ state: 'uploaded', awaitingReview: true, job: null });
    expect(upload.body.metadata.review).toBe('true');
    const table = capture();
    expect(await runCli([...uploadArgs(file), '--review', '--quiet'], cliEnv, table.io)).toBe(0);
    expect(table.out.stdout).toMatch(/held\.csv\s+awaiting-review .*review: http:\/\/.*\/preview, then POST …\/import/);
  });

  it('exits 1 naming the reason when an import fails, and still imports the good file', async () => {
    const bad = join(work, 'unterminated.csv');
    await writeFile(bad, 'id,name\n1,one\n2,"never closed\n3,three\n');
    const good = join(work, 'good.csv');
    await writeFile(good, 'id,name\n1,one\n');
    const { out, io } = capture();
    // Declared: sniffed, the quote that never closes would be read as text.
    expect(await runCli([...uploadArgs(bad, good), '--meta', 'quote="'], cliEnv, io)).toBe(1);
    expect(out.stdout).toMatch(
      new RegExp(`^${bad}\\s+import-failed\\s.*line 3.*errors: ${harness.baseUrl}/api/uploads/[0-9a-f]+/errors$`, 'm'),
    );
    expect(out.stdout).toMatch(
      new RegExp(`^${good}\\s+imported\\s+\\S+ B\\s+1\\s+0\\s+into imports\\.good_[0-9a-f]{8}$`, 'm'),
    );
    expect(out.stdout).toContain('1 of 2 file(s) done, 1 failed');
  });

  it('prints the warnings of an import that looks wrong, in the table and in --json', async () => {
    const file = join(work, 'one-column.csv');
    await writeFile(file, 'name age\nann 3\nbob 4\n');
    const table = capture();
    expect(await runCli(uploadArgs(file), cliEnv, table.io)).toBe(0);
    expect(table.out.stdout).toContain(`warning: ${file}: Everything is in one column`);
    const json = capture();
    expect(await runCli([...uploadArgs(file), '--json'], cliEnv, json.io)).toBe(0);
    const [result] = jsonLines(json.out.stdout);
    expect(result?.warnings).toEqual([expect.stringMatching(/^Everything is in one column/)]);
  });

  it('exits 2 on usage errors and 1 when the server refuses the token', async () => {
    const file = join(work, 'good.csv');
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [uploadArgs(join(work, 'missing.csv')), {}, /no such file: .*missing\.csv/],
      [[...uploadArgs(file), '--mapping', join(work, 'unterminated.csv')], {}, /--mapping: .* is not valid JSON/],
      [['upload', file, '--server', 'http://uploads.invalid'], {}, /no API token: pass --token or set UPLOAD_TOKEN/],
      [['upload', file, '--parallel', 'many'], {}, /--parallel must be a whole number/],
    ];
    for (const [argv, env, message] of cases) {
      const { out, io } = capture();
      expect(await runCli(argv, { ...cliEnv, ...env }, io)).toBe(2);
      expect(out.stderr).toMatch(message);
    }
    const refused = capture();
    expect(await runCli(['upload', file, '--server', harness.baseUrl, '--token', 'wrong'], cliEnv, refused.io)).toBe(1);
    expect(refused.out.stderr).toMatch(/api\/config answered 401/);
    const help = capture();
    expect(await runCli(['upload', '--help'], {}, help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/^usage: pnpm cli upload <file\.\.\.> \[options\]/);
    expect(HELP).toContain('upload <file...>');
  });

  it.skipIf(!hasScript)('draws progress bars on a terminal, then the summary', async () => {
    const file = join(work, 'tty.csv');
    await writeCsvFixture(file, 4 * MiB);
    const command = [process.execPath, '--import', 'tsx', 'server/cli/main.ts', ...uploadArgs(file)];
    const child = spawn('script', ['-qec', `${command.join(' ')} --chunk-size 64k --no-wait`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, ...cliEnv, UPLOAD_CACHE_DIR: join(work, 'cache-tty') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(hasCursorControl(screen)).toBe(true);
    expect(screen).toMatch(/tty\.csv +[█░]+ \d+% {2}[\d.]+ [KM]iB\/4\.0 MiB {2}[\d.]+ [KM]?i?B\/s {2}ETA /);
    expect(screen).toMatch(/total +[█░]+ \d+%/);
    expect(screen).toMatch(/tty\.csv\s+uploaded\s+4\.0 MiB/);
  });

  it('reads the development token of a local server from DATA_DIR/dev-token', async () => {
    const dataDir = join(work, 'local-data');
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'dev-token'), `${token}\n`);
    const { out, io } = capture();
    const args = ['upload', join(work, 'good.csv'), '--server', harness.baseUrl, '--no-wait', '--quiet'];
    expect(await runCli(args, { ...cliEnv, DATA_DIR: dataDir }, io)).toBe(0);
    expect(out.stdout).toMatch(/good\.csv\s+uploaded/);
  });

  it('starts afresh, and says so, when a file changed since the interrupted run', async () => {
    const file = join(work, 'changing.csv');
    await writeCsvFixture(file, 2 * MiB);
    const interrupt = new AbortController();
    const notes: string[] = [];
    const options = {
      files: [file],
      server: harness.baseUrl,
      token,
      chunkSize: 64 * 1024,
      parallel: 1,
      metadata: {},
      wait: false,
      cacheDir: join(work, 'cache'),
    };
    const first = await uploadFiles(
      { ...options, signal: interrupt.signal },
      {
        createDisplay: () => ({
          ...silentDisplay,
          progress: (_key, bytes) => bytes > 256 * 1024 && interrupt.abort(),
        }),
      },
    );
    expect(first[0]).toMatchObject({ status: 'upload-failed', error: 'interrupted' });

    await appendFile(file, '999999,late,row,1.00,00001\r\n');
    const display = { ...silentDisplay, note: (text: string) => void notes.push(text) };
    const [second] = await uploadFiles(options, { createDisplay: () => display });
    expect(notes).toContain('changing.csv: changed since the interrupted run; starting afresh');
    expect(second).toMatchObject({ status: 'uploaded', restarted: true, resumedFrom: 0 });
    expect(await storedSha256(harness.baseUrl, token, second?.id as string)).toBe(await sha256File(file));
  });

  it('starts a new upload, and says so, when the interrupted one is gone from the server', async () => {
    const file = join(work, 'deleted.csv');
    await writeCsvFixture(file, 2 * MiB);
    const interrupt = new AbortController();
    const options = {
      files: [file],
      server: harness.baseUrl,
      token,
      chunkSize: 64 * 1024,
      parallel: 1,
      metadata: {},
      wait: false,
      cacheDir: join(work, 'cache'),
    };
    const stopEarly = { ...silentDisplay, progress: (_key: string, bytes: number) => bytes > 0 && interrupt.abort() };
    const [first] = await uploadFiles({ ...options, signal: interrupt.signal }, { createDisplay: () => stopEarly });
    expect(first?.error).toBe('interrupted');
    const listed = await apiRequest<{ uploads: UploadView[] }>(harness.baseUrl, '/api/uploads', token);
    const gone = listed.body.uploads.find((u) => u.filename === 'deleted.csv');
    const deleted = await rawRequest(`${harness.baseUrl}/files/${gone?.id}`, 'DELETE', {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${token}`,
    });
    expect(deleted.status).toBe(204);

    const notes: string[] = [];
    const display = { ...silentDisplay, note: (text: string) => void notes.push(text) };
    const [second] = await uploadFiles(options, { createDisplay: () => display });
    expect(notes.join('\n')).toMatch(
      /deleted\.csv: the earlier upload is gone from the server \((404|410)\); starting afresh/,
    );
    expect(second).toMatchObject({ status: 'uploaded', resumedFrom: 0 });
    expect(second?.id).not.toBe(gone?.id);
    expect(await storedSha256(harness.baseUrl, token, second?.id as string)).toBe(await sha256File(file));
  });
});
