// Fault: one byte of a chunk flipped on the wire (by the TCP proxy) while the
// client sends tus Upload-Checksum (sha1) with every PATCH. The server must
// refuse that chunk with 460 and store none of it; the client resends it and
// the file ends intact.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosProxy, startChaosProxy } from '../support/chaos-proxy.ts';
import { createUpload, head, rawRequest } from '../support/raw-tus.ts';
import { databaseKind, databaseUnavailable, startTestService, type TestService } from '../support/test-service.ts';

const MiB = 1024 * 1024;

describe.skipIf(databaseUnavailable())(`fault: a corrupted chunk with checksums on (${databaseKind})`, () => {
  let harness: TestService;
  let token: string;
  let proxy: ChaosProxy;

  beforeAll(async () => {
    harness = await startTestService({ env: { WORKER_CONCURRENCY: '0' } });
    token = await harness.tokenFor('checksums');
    // The first connection to carry 512 KiB gets that byte flipped: inside a chunk's body.
    proxy = await startChaosProxy({
      targetPort: Number(new URL(harness.baseUrl).port),
      corrupt: { atByte: MiB / 2, connections: 1 },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await harness?.stop();
  });

  it('refuses the damaged chunk with 460, stores none of it, and accepts it resent', async () => {
    const options = await rawRequest(`${harness.baseUrl}/files/`, 'OPTIONS', { 'Tus-Resumable': '1.0.0' });
    expect(String(options.headers['tus-extension'])).toContain('checksum');

    const content = Buffer.concat([Buffer.from('id,blob\n'), Buffer.from(randomBytes(2 * MiB).toString('base64'))]);
    const base = `http://127.0.0.1:${proxy.port}`;
    const created = await createUpload(base, token, content.length);
    expect(created.status).toBe(201);
    const statuses: number[] = [];
    let offset = 0;
    while (offset < content.length) {
      const chunk = content.subarray(offset, offset + MiB);
      const answer = await rawRequest(
        created.url,
        'PATCH',
        {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': offset,
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Checksum': `sha1 ${createHash('sha1').update(chunk).digest('base64')}`,
          Authorization: `Bearer ${token}`,
        },
        chunk,
      );
      statuses.push(answer.status);
      // After a refusal the client asks where to go on, as tus clients do.
      const stored = Number((await head(created.url, token)).headers['upload-offset']);
      if (answer.status === 460) expect(stored).toBe(offset);
      else expect(answer.status).toBe(204);
      offset = stored;
      if (statuses.length > 10) throw new Error(`no progress: ${statuses.join(', ')}`);
    }
    process.stdout.write(
      `[fault] injected: ${proxy.stats.corrupted} byte flipped in transit; PATCH answers in order: ${statuses.join(', ')}\n`,
    );
    expect(proxy.stats.corrupted).toBe(1);
    expect(statuses.filter((s) => s === 460)).toHaveLength(1);
    const id = created.url.split('/').pop() as string;
    const stored = await readFile(harness.fileStore.filePath(id));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    process.stdout.write(
      '[fault] verified: the damaged chunk was refused (460) and resent; stored file sha256 intact\n',
    );
  });
});
