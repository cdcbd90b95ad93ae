// The tus checksum extension's algorithms: hashing one PATCH body as it streams
// to disk (one or, for a trailer whose algorithm is not known yet, all of them).
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'md5', 'crc32'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

interface Digester {
  update(chunk: Buffer): void;
  digest(): Buffer;
}

/** CRC-32 as four big-endian bytes, the usual wire form of a crc32 checksum. */
function crc32Digester(): Digester {
  let value = 0;
  return {
    update(chunk) {
      value = crc32(chunk, value);
    },
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

function hashDigester(hash: Hash): Digester {
  return { update: (chunk) => hash.update(chunk), digest: () => hash.digest() };
}

function digesterFor(algorithm: ChecksumAlgorithm): Digester {
  return algorithm === 'crc32' ? crc32Digester() : hashDigester(createHash(algorithm));
}

/** Hashes a byte stream with several algorithms at once; digests are read once, at the end. */
export class ChunkDigests {
  readonly #digesters: Map<ChecksumAlgorithm, Digester>;
  readonly #results = new Map<ChecksumAlgorithm, Buffer>();

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.#digesters = new Map(algorithms.map((algorithm) => [algorithm, digesterFor(algorithm)]));
  }

  update(chunk: Buffer): void {
    for (const digester of this.#digesters.values()) digester.update(chunk);
  }

  /** True when the bytes seen hash to `expected` with `algorithm`. */
  matches(algorithm: ChecksumAlgorithm, expected: Buffer): boolean {
    let result = this.#results.get(algorithm);
    if (!result) {
      const digester = this.#digesters.get(algorithm);
      if (!digester) return false;
      result = digester.digest();
      this.#results.set(algorithm, result);
    }
    return result.equals(expected);
  }
}

/** Passes chunks through unchanged while feeding them to `digests`. */
export async function* hashedChunks(source: AsyncIterable<Buffer>, digests: ChunkDigests): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    digests.update(chunk);
    yield chunk;
  }
}
