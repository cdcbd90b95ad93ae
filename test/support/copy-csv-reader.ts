// Reads a line of PostgreSQL's COPY CSV input back into values, the way COPY
// does with QUOTE doubled inside quotes and NULL as an unquoted \N: what the
// encoder's tests compare with the values it was given.
import { COPY_NULL, type CopyCsvFormat } from '../../server/import/sink/copy-csv.ts';

export function readCopyCsvLine(line: string, format: CopyCsvFormat): (string | null)[] {
  const { delimiter, quote } = format;
  const values: (string | null)[] = [];
  let pos = 0;
  for (;;) {
    if (line[pos] === quote) {
      let value = '';
      let from = pos + 1;
      for (;;) {
        const close = line.indexOf(quote, from);
        if (close === -1) throw new Error(`unclosed quote in ${JSON.stringify(line)}`);
        if (line[close + 1] === quote) {
          value += line.slice(from, close + 1);
          from = close + 2;
          continue;
        }
        value += line.slice(from, close);
        pos = close + 1;
        break;
      }
      values.push(value);
    } else {
      const next = line.indexOf(delimiter, pos);
      const end = next === -1 ? line.length : next;
      const cell = line.slice(pos, end);
      values.push(cell === COPY_NULL ? null : cell);
      pos = end;
    }
    if (pos >= line.length) return values;
    if (line[pos] !== delimiter) throw new Error(`text after a closing quote in ${JSON.stringify(line)}`);
    pos++;
  }
}
