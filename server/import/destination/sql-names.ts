// Table and column names of an import's own table: lower case with
// underscores, so a person can query them without quoting; unique; never a
// reserved word; within PostgreSQL's 63-byte limit (longer names are cut
// silently by PostgreSQL, which could make two columns collide).
const MAX_IDENTIFIER_BYTES = 63;

// PostgreSQL's reserved key words (pg_get_keywords() with catcode 'R'): unquoted, they are syntax errors.
const RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
   current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc
   distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral
   leading limit localtime localtimestamp not null offset on only or order placing primary references returning
   select session_user some symmetric system_user table then to trailing true union unique user using variadic
   when where window with`.split(/\s+/),
);

/** `text` as an identifier: letters, digits and underscores, lower case; `fallback` when nothing is left. */
export function safeIdentifier(text: string, fallback: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  let name = words === '' ? fallback : words;
  // A leading digit is not allowed unquoted.
  if (/^\p{N}/u.test(name)) name = `${fallback.replace(/_?\d+$/, '')}_${name}`;
  if (RESERVED.has(name)) name = `${name}_`;
  return cutToBytes(name, MAX_IDENTIFIER_BYTES);
}

/**
 * Identifiers for the columns, in order: safe, unique (`name`, `name_2`, …)
 * and never one of `taken` (the table's own columns, such as record_number).
 */
export function columnIdentifiers(names: readonly string[], taken: readonly string[]): string[] {
  const used = new Set(taken);
  return names.map((name, index) => {
    const base = safeIdentifier(name, `column_${index + 1}`);
    let identifier = base;
    for (let n = 2; used.has(identifier); n++) {
      const suffix = `_${n}`;
      identifier = `${cutToBytes(base, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
    }
    used.add(identifier);
    return identifier;
  });
}

/** `customers_3f9a1c2b` for customers.csv: the file's name without its extension, and the upload id's first 8 characters. */
export function importTableName(filename: string, uploadId: string): string {
  const stem = filename.replace(/^.*[\\/]/, '').replace(/\.(csv|tsv|txt|psv|dat)(\.gz)?$/i, '');
  const suffix = `_${uploadId.slice(0, 8)}`;
  const base = safeIdentifier(stem, 'import');
  return `${cutToBytes(base.replace(/_+$/, ''), MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
}

/** The longest prefix of whole characters within `bytes` bytes of UTF-8. */
function cutToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  let cut = '';
  for (const char of text) {
    if (Buffer.byteLength(cut + char) > bytes) break;
    cut += char;
  }
  return cut;
}

/** An identifier in double quotes, as SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
