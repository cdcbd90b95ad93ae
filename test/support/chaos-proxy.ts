// A TCP proxy for the fault suites (node:net): forwards loopback connections
// to a target port and, on purpose, cuts a connection after a random number
// of client bytes, stalls forwarding for a while, or flips one byte in
// transit. It counts what it did, so a test can print what it injected.
import { connect, createServer, type Socket } from 'node:net';

export interface ChaosOptions {
  targetPort: number;
  /** Each connection is cut after a random count of client->server bytes in [min, max]. */
  cutAfterBytes?: [number, number];
  /** Chance (0-1) that a connection pauses forwarding once, for `stallMs`, before its cut. */
  stallChance?: number;
  stallMs?: number;
  /** The next `connections` connections carrying more than `atByte` client bytes get that byte flipped. */
  corrupt?: { atByte: number; connections: number };
  /** Seeded random numbers make a failing run repeatable. */
  random?: () => number;
}

export interface ChaosStats {
  connections: number;
  cuts: number;
  stalls: number;
  corrupted: number;
}

export interface ChaosProxy {
  port: number;
  stats: ChaosStats;
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator, enough for test randomness. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startChaosProxy(options: ChaosOptions): Promise<ChaosProxy> {
  const random = options.random ?? Math.random;
  const stats: ChaosStats = { connections: 0, cuts: 0, stalls: 0, corrupted: 0 };
  let corruptLeft = options.corrupt?.connections ?? 0;
  const open = new Set<Socket>();

  function relay(client: Socket): void {
    stats.connections++;
    const upstream = connect(options.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const [min, max] = options.cutAfterBytes ?? [0, 0];
    const budget = max > 0 ? Math.floor(min + random() * (max - min)) : Number.POSITIVE_INFINITY;
    const stallAt = random() < (options.stallChance ?? 0) ? Math.floor(random() * Math.min(budget, max || 1e6)) : -1;
    let forwarded = 0;
    let stalled = false;
    let stalling = false;

    client.on('data', (chunk: Buffer) => {
      let piece = chunk;
      const at = options.corrupt?.atByte ?? -1;
      if (corruptLeft > 0 && at >= forwarded && at < forwarded + piece.length) {
        piece = Buffer.from(chunk);
        piece[at - forwarded] = (piece[at - forwarded] as number) ^ 0xff;
        corruptLeft--;
        stats.corrupted++;
      }
      if (forwarded + piece.length >= budget) {
        stats.cuts++;
        upstream.write(piece.subarray(0, budget - forwarded), () => {
          client.destroy();
          upstream.destroy();
        });
        client.pause();
        return;
      }
      forwarded += piece.length;
      if (!upstream.write(piece)) {
        client.pause();
        upstream.once('drain', () => {
          if (!stalling) client.resume();
        });
      }
      if (stallAt >= 0 && !stalled && forwarded >= stallAt) {
        stalled = true;
        stalling = true;
        stats.stalls++;
        client.pause();
        setTimeout(() => {
          stalling = false;
          client.resume();
        }, options.stallMs ?? 1000);
      }
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  }

  const server = createServer(relay);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        stats,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of open) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
