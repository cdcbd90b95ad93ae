// The file name a draft client may give in Content-Disposition (RFC 6266):
// `filename*=UTF-8''…` (RFC 8187, percent-encoded) wins over `filename="…"`.
// The draft carries no metadata of its own; Upload-Metadata still wins over this.

/** The parameters of a header value `type; name=value; name="quoted"`, names lower-cased. */
function parameters(value: string): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of value.matchAll(pattern)) {
    const name = (match[1] ?? '').toLowerCase();
    let text = (match[2] ?? '').trim();
    if (text.startsWith('"')) text = text.slice(1, -1).replace(/\\(.)/g, '$1');
    if (!found.has(name)) found.set(name, text);
  }
  return found;
}

/** `UTF-8''name%20with%20spaces.csv`; undefined for another charset or a bad encoding. */
function decodeExtended(value: string): string | undefined {
  const match = /^utf-8'[^']*'(.*)$/i.exec(value);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] ?? '');
  } catch {
    return undefined;
  }
}

export function filenameFromContentDisposition(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const params = parameters(header);
  const extended = params.get('filename*');
  return (extended === undefined ? undefined : decodeExtended(extended)) ?? params.get('filename') ?? undefined;
}
