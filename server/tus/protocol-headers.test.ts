// The strict tus header parsers: what they accept and what is a 400.
import { describe, expect, it } from 'vitest';
import {
  parseByteCount,
  parseChecksum,
  parseMetadata,
  parseUploadConcat,
  uploadIdFromUrl,
} from './protocol-headers.ts';
import { ProtocolError } from './tus-errors.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('tus request header parsers', () => {
  it('accepts plain decimal byte counts up to 2^53-1 and refuses everything else', () => {
    expect(parseByteCount('Upload-Length', '0')).toBe(0);
    expect(parseByteCount('Upload-Length', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['', '-1', '+1', '1.0', '0x1', '1e2', '007', ' 1', '9007199254740992', 'Infinity']) {
      expect(() => parseByteCount('Upload-Length', bad), bad).toThrow(ProtocolError);
    }
  });

  it('parses Upload-Metadata pairs, keys without value and whitespace around commas', () => {
    const parsed = parseMetadata(`filename ${b64('a.csv')} , flag,empty `);
    expect(parsed.values).toEqual({ filename: 'a.csv', flag: null, empty: null });
    expect(parsed.canonical).toBe(`filename ${b64('a.csv')},flag,empty`);
  });

  it('refuses malformed Upload-Metadata', () => {
    for (const bad of [
      '',
      ',',
      `a ${b64('x')},a ${b64('y')}`,
      'a b c',
      'a  YQ==',
      'a YQ=',
      'a Y*==',
      `ke\u00ffy ${b64('x')}`,
    ]) {
      expect(() => parseMetadata(bad), JSON.stringify(bad)).toThrow(ProtocolError);
    }
  });

  it('parses Upload-Checksum and refuses unknown algorithms and bad digests with 400', () => {
    expect(parseChecksum('sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=')).toMatchObject({ algorithm: 'sha1' });
    for (const bad of ['sha1', 'sha512 AAAA', 'SHA1 AAAA', 'sha1 A', 'md5 AA AA']) {
      const error = (() => {
        try {
          parseChecksum(bad);
        } catch (caught) {
          return caught as ProtocolError;
        }
      })();
      expect(error?.status_code, bad).toBe(400);
    }
  });

  it('parses Upload-Concat and the upload ids its URLs name', () => {
    expect(parseUploadConcat('partial')).toEqual({ kind: 'partial' });
    expect(parseUploadConcat('final;/files/a http://h/files/b')).toEqual({
      kind: 'final',
      urls: ['/files/a', 'http://h/files/b'],
    });
    for (const bad of ['final;', 'final', 'Partial', 'partial;x'])
      expect(() => parseUploadConcat(bad)).toThrow(ProtocolError);
    expect(uploadIdFromUrl('https://example.org/files/abc', '/files')).toBe('abc');
    expect(uploadIdFromUrl('/files/abc/', '/files')).toBe('abc');
    expect(uploadIdFromUrl('/other/abc', '/files')).toBeNull();
    expect(uploadIdFromUrl('/files/a/b', '/files')).toBeNull();
  });
});
