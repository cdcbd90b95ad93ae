// The young collection by upload bytes: it runs once per COLLECT_EVERY_BYTES
// counted, it empties the young generation (where written buffers wait), and it
// exposes no global gc.
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { COLLECT_EVERY_BYTES, countReceivedBytes, uploadBufferCollections } from './upload-buffer-collector.ts';

describe('countReceivedBytes', () => {
  it('collects once per COLLECT_EVERY_BYTES received, not before', () => {
    const before = uploadBufferCollections();
    countReceivedBytes(COLLECT_EVERY_BYTES - 1);
    expect(uploadBufferCollections()).toBe(before);
    countReceivedBytes(1);
    expect(uploadBufferCollections()).toBe(before + 1);
    for (let i = 0; i < 4; i++) countReceivedBytes(COLLECT_EVERY_BYTES / 4);
    expect(uploadBufferCollections()).toBe(before + 2);
  });

  it('empties the young generation when it collects', () => {
    const youngUsed = () =>
      getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
    // Garbage the young generation holds until a collection: 64 KiB buffers' objects, as uploads leave.
    for (let i = 0; i < 2000; i++) Buffer.alloc(64 * 1024);
    const before = youngUsed();
    countReceivedBytes(COLLECT_EVERY_BYTES);
    expect(youngUsed()).toBeLessThan(before / 2);
  });

  it('leaves no gc function on the global object', () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
