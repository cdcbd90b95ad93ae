// Suites that need a program from the system (Caddy, promtool, Chromium):
// locally a missing program skips them with a message saying what to install;
// with CI=true a missing program fails the run instead.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute path of `name` on PATH (or `name` itself when it is a path), or null. */
export function findProgram(name: string): string | null {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** True when the suite should be skipped (and says why); throws in CI. */
export function programUnavailable(name: string, installHint: string): boolean {
  if (findProgram(name)) return false;
  const message = `${name} is not installed: ${installHint}.`;
  if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`);
  process.stderr.write(`\n${message}\nThe suites that need it are SKIPPED.\n\n`);
  return true;
}
