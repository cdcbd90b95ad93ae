// Checks the uploader suites share: what the server stored, what the CLI printed.
import { createHash } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { FileResult } from '../../server/cli/upload/file-result.ts';
import { FIXTURE_HEADER, writeCsvFixture } from './csv-fixtures.ts';

export function capture() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout(text: string) {
      out.stdout += text;
    },
    stderr(text: string) {
      out.stderr += text;
    },
  };
  return { out, io };
}

/** sha256 of the bytes the server stored for an upload (GET /files/:id). */
export async function storedSha256(baseUrl: string, token: string, id: string): Promise<string> {
  const response = await fetch(`${baseUrl}/files/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return createHash('sha256')
    .update(Buffer.from(await response.arrayBuffer()))
    .digest('hex');
}

/** A big CSV fast: one generated MiB of rows, written again and again (ids repeat; no matter here). */
export async function writeBigCsv(path: string, mebibytes: number): Promise<void> {
  const block = `${path}.block`;
  await writeCsvFixture(block, 1024 * 1024);
  const rows = (await readFile(block)).subarray(FIXTURE_HEADER.join(',').length + 2);
  await writeFile(path, `${FIXTURE_HEADER.join(',')}\r\n`);
  for (let n = 0; n < mebibytes; n++) await appendFile(path, rows);
}

/** Carriage returns and escape sequences: what a terminal progress bar draws with. */
export const hasCursorControl = (text: string) => text.includes('\r') || text.includes('\u001b');

/** stdout of --json: one result object a line. */
export const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FileResult);
