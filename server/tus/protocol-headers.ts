// Strict parsers for the tus request headers @tus/server reads loosely or not
// at all. Each returns the parsed value or throws a ProtocolError (400).
import { type ChecksumAlgorithm, isChecksumAlgorithm } from './checksum.ts';
import { ProtocolError } from './tus-errors.ts';

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Printable ASCII but space and comma: what a metadata key may hold. */
const METADATA_KEY = /^[\x21-\x2b\x2d-\x7e]+$/;

/** A non-negative integer in plain decimal: no sign, fraction, exponent, hex or leading zero. */
export function parseByteCount(name: string, value: string): number {
  const n = Number(value);
  if (!DECIMAL.test(value) || !Number.isSafeInteger(n)) {
    throw new ProtocolError(400, 'invalid_request', `${name} must be a non-negative integer, got "${value}"`);
  }
  return n;
}

export interface ParsedMetadata {
  /** key → decoded value (UTF-8; null when the key has no value). */
  values: Record<string, string | null>;
  /** The same pairs with optional whitespace around commas removed, as @tus/server parses them. */
  canonical: string;
}

/** `Upload-Metadata`: comma-separated `key base64value` pairs, keys unique, values strict Base64. */
export function parseMetadata(header: string): ParsedMetadata {
  const invalid = (why: string) => new ProtocolError(400, 'invalid_metadata', `Upload-Metadata is malformed: ${why}`);
  const values: Record<string, string | null> = {};
  const pairs: string[] = [];
  for (const element of header.split(',')) {
    // Whitespace around list elements is allowed by HTTP; inside a pair exactly one space separates.
    const pair = element.replace(/^[ \t]+|[ \t]+$/g, '');
    if (pair === '') throw invalid('an empty element');
    const [key = '', value, extra] = pair.split(' ');
    if (extra !== undefined) throw invalid(`"${pair}" has more than one space`);
    if (!METADATA_KEY.test(key)) throw invalid(`the key "${key}" is not printable ASCII without spaces and commas`);
    if (Object.hasOwn(values, key)) throw invalid(`the key "${key}" appears twice`);
    if (value !== undefined && !BASE64.test(value)) throw invalid(`the value of "${key}" is not Base64`);
    values[key] = value ? Buffer.from(value, 'base64').toString('utf8') : null;
    pairs.push(value ? `${key} ${value}` : key);
  }
  return { values, canonical: pairs.join(',') };
}

/** `Upload-Checksum: <algorithm> <base64 digest>`; an algorithm we do not offer is a 400. */
export function parseChecksum(header: string): { algorithm: ChecksumAlgorithm; digest: Buffer } {
  const match = /^([a-z0-9-]+) ([A-Za-z0-9+/=]+)$/.exec(header.trim());
  if (!match?.[1] || !match[2] || !BASE64.test(match[2])) {
    throw new ProtocolError(400, 'invalid_request', 'Upload-Checksum must be "<algorithm> <Base64 digest>"');
  }
  if (!isChecksumAlgorithm(match[1])) {
    throw new ProtocolError(400, 'invalid_request', `Checksum algorithm "${match[1]}" is not supported`);
  }
  return { algorithm: match[1], digest: Buffer.from(match[2], 'base64') };
}

export type UploadConcat = { kind: 'partial' } | { kind: 'final'; urls: string[] };

/** `Upload-Concat: partial` or `final;<url> <url> …` (absolute or relative URLs). */
export function parseUploadConcat(header: string): UploadConcat {
  if (header === 'partial') return { kind: 'partial' };
  if (header.startsWith('final;')) {
    const urls = header.slice('final;'.length).trim().split(/ +/).filter(Boolean);
    if (urls.length > 0) return { kind: 'final', urls };
  }
  throw new ProtocolError(400, 'invalid_request', 'Upload-Concat must be "partial" or "final;<url> <url> …"');
}

/** The upload id a partial URL names, or null when it is not an upload URL of `basePath`. */
export function uploadIdFromUrl(url: string, basePath: string): string | null {
  let path: string;
  try {
    path = new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return null;
  }
  const prefix = `${basePath}/`;
  if (!path.startsWith(prefix)) return null;
  const id = path.slice(prefix.length).replace(/\/+$/, '');
  return id === '' || id.includes('/') ? null : id;
}
