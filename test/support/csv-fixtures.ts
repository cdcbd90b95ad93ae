// Generated CSV files for the suites: deterministic content with the awkward
// parts real exports have (quoted commas, doubled quotes, embedded newlines).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';

export const FIXTURE_HEADER = ['id', 'name', 'comment', 'amount', 'zip'];

/** Row n (1-based) of the generated file, as the parsed values. */
export function fixtureRow(n: number): string[] {
  const tricky = n % 7 === 0 ? `line one\nline "two", with comma` : `plain text ${n}`;
  return [String(n), `name ${n}`, tricky, (n * 1.25).toFixed(2), String(n % 100000).padStart(5, '0')];
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(values: string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Writes at least `minBytes` of CSV; returns the number of data rows. */
export async function writeCsvFixture(path: string, minBytes: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let rows = 0;
  let buffer = csvLine(FIXTURE_HEADER);
  while (bytes + buffer.length < minBytes) {
    rows++;
    buffer += csvLine(fixtureRow(rows));
    if (buffer.length > 1 << 20) {
      bytes += buffer.length;
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return rows;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
