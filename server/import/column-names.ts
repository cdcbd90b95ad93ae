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
