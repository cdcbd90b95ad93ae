import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isTerminal, startUpBanner } from './start-up-banner.ts';

const ESC = '\u001b[';

describe('startUpBanner', () => {
  it('prints plain text for pipes, with the token in the URL on the embedded database', () => {
    expect(startUpBanner({ url: 'http://127.0.0.1:3000', token: 'cut_abc', terminal: false })).toBe(
      '\nCSV upload service: http://127.0.0.1:3000/#token=cut_abc\n  API token (owner "dev"): cut_abc\n\n',
    );
    const shared = startUpBanner({ url: 'http://127.0.0.1:3000', terminal: false });
    expect(shared).toBe(
      '\nCSV upload service: http://127.0.0.1:3000\n  Create a token with: pnpm cli token create <owner>\n\n',
    );
  });

  it('highlights the whole URL on a terminal, and only there', () => {
    const banner = startUpBanner({ url: 'http://127.0.0.1:3000', token: 'cut_abc', terminal: true });
    expect(banner).toContain(`${ESC}1;4;32mhttp://127.0.0.1:3000/#token=cut_abc${ESC}0m`);
    expect(banner).toContain('API token (owner "dev"): cut_abc');
    expect(stripVTControlCharacters(banner)).toBe(
      startUpBanner({ url: 'http://127.0.0.1:3000', token: 'cut_abc', terminal: false }),
    );
  });
});

describe('isTerminal', () => {
  it('is true for a TTY stream and false for pipes and files', () => {
    expect(isTerminal({ isTTY: true })).toBe(true);
    expect(isTerminal(new PassThrough() as { isTTY?: boolean })).toBe(false);
    expect(isTerminal({ isTTY: false })).toBe(false);
  });
});
