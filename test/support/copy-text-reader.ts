// Reads a line of PostgreSQL's COPY text format back into values, the way
// COPY does: what the encoder's tests compare with the values it was given.
const UNESCAPED: Record<string, string> = { '\\': '\\', n: '\n', r: '\r', t: '\t' };

export function readCopyTextLine(line: string): (string | null)[] {
  return line
    .split('\t')
    .map((cell) => (cell === '\\N' ? null : cell.replace(/\\(.)/g, (_, c: string) => UNESCAPED[c] ?? c)));
}
