// The maintenance duty (expiry, retention, orphans, reconciliation) runs on one
// API process at a time: exactly one is elected, and when it is killed with
// SIGKILL another takes the duty over and actually runs it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiRequest } from '../support/api-client.ts';
import { createUpload } from '../support/raw-tus.ts';
import { type Cluster, type ClusterProcess, startCluster, TOKEN } from './support/cluster.ts';

const ELECTION_INTERVAL_MS = 500;
const BECAME_LEADER = 'became leader for maintenance';

const isLeader = (api: ClusterProcess) => api.logs().some((line) => line.msg === BECAME_LEADER);

async function until<T>(probe: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!inject('postgresAvailable'))('maintenance leader across API processes', () => {
  let cluster: Cluster;
  let apis: ClusterProcess[];

  beforeAll(async () => {
    cluster = await startCluster({
      LEADER_ELECTION_INTERVAL_MS: String(ELECTION_INTERVAL_MS),
      CLEANUP_INTERVAL: '1000',
      // 1.8 s: an upload left idle expires within a few cleanup passes.
      UPLOAD_EXPIRY_HOURS: '0.0005',
    });
    apis = await Promise.all([cluster.startApi('api-1'), cluster.startApi('api-2')]);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('elects exactly one process, and another takes over when it is killed', async () => {
    await until(() => apis.some(isLeader), 10_000);
    // Several election rounds later, still only one.
    await new Promise((r) => setTimeout(r, 4 * ELECTION_INTERVAL_MS));
    const leaders = apis.filter(isLeader);
    expect(leaders.map((api) => api.name)).toHaveLength(1);
    const leader = leaders[0] as ClusterProcess;
    const survivor = apis.find((api) => api !== leader) as ClusterProcess;

    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    await until(() => isLeader(survivor), 10_000);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(ELECTION_INTERVAL_MS + 3000);
    process.stdout.write(`[scale-out] maintenance taken over ${takeoverMs} ms after kill -9 of the leader\n`);

    // The new leader really runs the duty: an upload left idle on it expires.
    const created = await createUpload(survivor.baseUrl, TOKEN, 1000);
    expect(created.status).toBe(201);
    const id = new URL(created.url).pathname.split('/').pop() as string;
    const expired = await until(async () => {
      const response = await apiRequest(survivor.baseUrl, `/api/uploads/${id}`, TOKEN);
      return (response.body as { state?: string }).state === 'expired';
    }, 15_000);
    expect(expired).toBe(true);
  });
});
