import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreviousUpload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, identifyFile, isChangedVersion, parseFingerprint } from './file-identity.ts';
import { defaultCacheDir, UploadUrlStore } from './upload-url-store.ts';

const SERVER = 'http://127.0.0.1:3000';

function previous(url: string): PreviousUpload {
  return {
    size: 10,
    metadata: { filename: 'a.csv' },
    creationTime: new Date().toISOString(),
    urlStorageKey: '',
    uploadUrl: url,
    parallelUploadUrls: null,
  };
}

describe('file identity and the URL store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csvup-store-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fingerprints by server, absolute path, size and mtime, and reads the fingerprint back', async () => {
    const file = join(dir, 'a.csv');
    await writeFile(file, 'id\n1\n');
    const identity = await identifyFile(SERVER, file);
    expect(identity).toMatchObject({ server: SERVER, path: file, size: 5 });
    expect(parseFingerprint(fingerprintOf(identity))).toEqual(identity);
    expect(parseFingerprint('node-file-/x-1-2')).toBeNull();
    expect(parseFingerprint('["x", 1]')).toBeNull();

    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const touched = await identifyFile(SERVER, file);
    expect(fingerprintOf(touched)).not.toBe(fingerprintOf(identity));
    expect(isChangedVersion(identity, touched)).toBe(true);
    expect(isChangedVersion(identity, identity)).toBe(false);
    expect(isChangedVersion(identity, { ...touched, server: 'http://other' })).toBe(false);
  });

  it('stores, finds by fingerprint, survives a new instance and removes entries', async () => {
    const cacheDir = join(dir, 'cache-1', 'nested');
    const store = new UploadUrlStore(cacheDir);
    expect(await store.findAllUploads()).toEqual([]);
    // Parallel writes from one process must all land.
    const keys = await Promise.all(
      ['1', '2', '3'].map((n) => store.addUpload(`fp${n}`, previous(`${SERVER}/files/${n}`))),
    );
    const reopened = new UploadUrlStore(cacheDir);
    expect((await reopened.findAllUploads()).map((u) => u.uploadUrl).sort()).toEqual(
      ['1', '2', '3'].map((n) => `${SERVER}/files/${n}`),
    );
    const [found] = await reopened.findUploadsByFingerprint('fp2');
    expect(found?.uploadUrl).toBe(`${SERVER}/files/2`);
    expect(found?.urlStorageKey).toBe(keys[1]);
    await reopened.removeUpload(keys[1] as string);
    await store.addUpload('fp4', previous(`${SERVER}/files/4`));
    await store.forget('fp4');
    expect(await store.findUploadsByFingerprint('fp4')).toEqual([]);
    expect(await store.findUploadsByFingerprint('fp2')).toEqual([]);
    expect(await store.findAllUploads()).toHaveLength(2);
    expect(JSON.parse(await readFile(store.path, 'utf8')).version).toBe(1);
  });

  it('hands over the entries of a changed file, and only those', async () => {
    const store = new UploadUrlStore(join(dir, 'cache-2'));
    const old = { server: SERVER, path: '/data/a.csv', size: 100, mtimeMs: 1 };
    await store.addUpload(fingerprintOf(old), previous(`${SERVER}/files/old`));
    await store.addUpload(fingerprintOf({ ...old, path: '/data/b.csv' }), previous(`${SERVER}/files/b`));
    await store.addUpload('not ours', previous(`${SERVER}/files/foreign`));
    expect(await store.takeChangedVersions(old)).toEqual([]);
    const changed = await store.takeChangedVersions({ ...old, size: 120, mtimeMs: 2 });
    expect(changed.map((u) => u.uploadUrl)).toEqual([`${SERVER}/files/old`]);
    expect((await store.findAllUploads()).map((u) => u.uploadUrl).sort()).toEqual([
      `${SERVER}/files/b`,
      `${SERVER}/files/foreign`,
    ]);
  });

  it('treats a damaged store file as empty rather than failing the upload', async () => {
    const store = new UploadUrlStore(join(dir, 'cache-3'));
    await store.addUpload('fp', previous(`${SERVER}/files/x`));
    await writeFile(store.path, '{"version":1,"uploads":{"tus::fp::1":');
    expect(await store.findAllUploads()).toEqual([]);
    await store.addUpload('fp', previous(`${SERVER}/files/y`));
    expect((await store.findUploadsByFingerprint('fp')).map((u) => u.uploadUrl)).toEqual([`${SERVER}/files/y`]);
  });

  it('lives in UPLOAD_CACHE_DIR, else the XDG cache directory, else ~/.cache', () => {
    expect(defaultCacheDir({ UPLOAD_CACHE_DIR: '/tmp/x' })).toBe('/tmp/x');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/csv-upload');
    expect(defaultCacheDir({})).toMatch(/\.cache\/csv-upload$/);
  });
});
