// Content-Digest (RFC 9530) on a draft creation or append, which the draft
// names for integrity: the digest of this request's content, verified by the
// store exactly as a tus Upload-Checksum is (the content is discarded whole on
// a mismatch). Of the algorithms listed, the strongest this server hashes wins.
import type { ChecksumAlgorithm } from '../checksum.ts';
import type { ChecksumExpectation } from '../request-context.ts';
import { ProtocolError } from '../tus-errors.ts';

/** RFC 9530's names for the algorithms the stores verify, strongest first. */
const ALGORITHMS: readonly [string, ChecksumAlgorithm][] = [
  ['sha-256', 'sha256'],
  ['sha', 'sha1'],
  ['md5', 'md5'],
];

/** A Structured Field Dictionary member `name=:base64:` (parameters ignored). */
const MEMBER = /^\s*([a-z*][a-z0-9_.*-]*)\s*=\s*:([A-Za-z0-9+/]*={0,2}):\s*(?:;.*)?$/;

export function parseContentDigest(header: string): ChecksumExpectation {
  const digests = new Map<string, Buffer>();
  for (const member of header.split(',')) {
    const match = MEMBER.exec(member);
    if (!match?.[1]) {
      throw new ProtocolError(400, 'invalid_request', 'Content-Digest must list `algorithm=:base64 digest:` members');
    }
    digests.set(match[1], Buffer.from(match[2] ?? '', 'base64'));
  }
  for (const [name, algorithm] of ALGORITHMS) {
    const digest = digests.get(name);
    if (digest) return { source: 'header', algorithm, digest };
  }
  throw new ProtocolError(
    400,
    'invalid_request',
    `Content-Digest names no algorithm this server verifies (${ALGORITHMS.map(([name]) => name).join(', ')})`,
  );
}
