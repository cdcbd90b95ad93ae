import { describe, expect, it } from 'vitest';
import { KnownUploads, ownedUploadFacts } from './known-uploads.ts';

function counting(owners: Record<string, string>, infos: Record<string, { rawMetadata?: string }>) {
  const calls = { owner: 0, info: 0 };
  return {
    calls,
    lookUp: {
      owner: async (id: string) => {
        calls.owner++;
        return owners[id];
      },
      info: async (id: string) => {
        calls.info++;
        return infos[id];
      },
    },
  };
}

describe('known uploads', () => {
  it('looks an upload up once, then answers its owner from memory and refuses other owners alike', async () => {
    const known = new KnownUploads();
    const { calls, lookUp } = counting({ a: 'alice' }, { a: { rawMetadata: 'filename eA==' } });
    expect(await ownedUploadFacts(known, lookUp, 'alice', 'a')).toEqual({
      owner: 'alice',
      info: { rawMetadata: 'filename eA==' },
    });
    expect(await ownedUploadFacts(known, lookUp, 'alice', 'a')).toMatchObject({ owner: 'alice' });
    expect(calls).toEqual({ owner: 1, info: 1 });
    // Another owner gets what an unknown id gets, from memory or not.
    expect(await ownedUploadFacts(known, lookUp, 'mallory', 'a')).toBeNull();
    expect(await ownedUploadFacts(new KnownUploads(), lookUp, 'mallory', 'a')).toBeNull();
    expect(await ownedUploadFacts(known, lookUp, 'alice', 'missing')).toBeNull();
  });

  it('does not remember an upload whose store holds nothing, nor another owner’s', async () => {
    const known = new KnownUploads();
    const { calls, lookUp } = counting({ a: 'alice', b: 'bob' }, {});
    expect(await ownedUploadFacts(known, lookUp, 'alice', 'a')).toEqual({ owner: 'alice', info: undefined });
    await ownedUploadFacts(known, lookUp, 'alice', 'a');
    await ownedUploadFacts(known, lookUp, 'alice', 'b');
    expect(calls.owner).toBe(3);
    expect(known.get('a')).toBeUndefined();
    expect(known.get('b')).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the least recently used, and forgets on request', () => {
    const known = new KnownUploads(2);
    const facts = (owner: string) => ({ owner, info: {} });
    known.remember('1', facts('x'));
    known.remember('2', facts('y'));
    known.get('1');
    known.remember('3', facts('z'));
    expect(known.get('2')).toBeUndefined();
    expect(known.get('1')?.owner).toBe('x');
    expect(known.get('3')?.owner).toBe('z');
    known.forget('3');
    expect(known.get('3')).toBeUndefined();
  });
});
