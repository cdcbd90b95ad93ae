// What `pnpm start` prints once it listens: the service's address, with the
// development token on the embedded database. On a terminal the URL is bold,
// underlined and green between blank lines, so it stands out among the log
// lines; in a pipe or file it stays plain text for scripts to read.

const BOLD = '\u001b[1m';
const URL_STYLE = '\u001b[1;4;32m';
const RESET = '\u001b[0m';

export interface StartUpBannerOptions {
  /** http://host:port */
  url: string;
  /** The development token (embedded database); without one, how to make a token. */
  token?: string;
  /** stdout is a terminal: highlight the URL. */
  terminal: boolean;
}

export function startUpBanner({ url, token, terminal }: StartUpBannerOptions): string {
  const link = token === undefined ? url : `${url}/#token=${token}`;
  const detail =
    token === undefined ? 'Create a token with: pnpm cli token create <owner>' : `API token (owner "dev"): ${token}`;
  if (!terminal) return `\nCSV upload service: ${link}\n  ${detail}\n\n`;
  return `\n${BOLD}CSV upload service:${RESET} ${URL_STYLE}${link}${RESET}\n  ${detail}\n\n`;
}

/** Log lines and the banner are for a person when stdout is a terminal, for machines otherwise. */
export function isTerminal(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true;
}
