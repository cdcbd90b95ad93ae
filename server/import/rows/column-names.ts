// Turns a CSV header record into the keys every row object is stored under:
// each key non-empty and unique, so no cell can overwrite another.

/** Names columns from the header: trimmed, blanks → `column_N` (1-based), repeats → `name_2`, `name_3`… */
export function nameColumns(header: readonly string[]): string[] {
  const taken = new Set<string>();
  return header.map((cell, index) => {
    const base = cell.replace(/^\uFEFF/, '').trim() || `column_${index + 1}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}

export interface HeaderSummary {
  present: boolean;
  /** Column names as stored (after cleaning); positional `column_N` without a header. */
  names: string[];
  /** Header cells that had to be renamed: duplicates and blanks. */
  renamed: { position: number; from: string; to: string }[];
  /** Lines above the header that were skipped, e.g. a report title. */
  titleLinesSkipped: string[];
}

/** Names the columns of the first record and says which header cells were renamed. */
export function describeHeader(first: readonly string[], present: boolean, titleLines: string[]): HeaderSummary {
  if (!present) {
    const names = first.map((_, index) => `column_${index + 1}`);
    return { present, names, renamed: [], titleLinesSkipped: [] };
  }
  const names = nameColumns(first);
  const renamed = names.flatMap((to, index) => {
    const from = first[index].replace(/^\uFEFF/, '').trim();
    return from === to ? [] : [{ position: index + 1, from, to }];
  });
  return { present, names, renamed, titleLinesSkipped: titleLines };
}
