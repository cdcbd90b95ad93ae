import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.ts';
import { DEFAULT_SERVER, parseByteSize, parseUploadArguments } from './upload-arguments.ts';

describe('parseUploadArguments', () => {
  it('reads every option', () => {
    const parsed = parseUploadArguments(
      [
        'a.csv',
        '--server',
        'https://uploads.example.com/',
        '--token',
        't0k',
        '--chunk-size',
        '8M',
        '--parallel',
        '4',
        '--meta',
        'delimiter=;',
        '--meta',
        'header=false',
        '--mapping',
        'm.json',
        'b.csv',
        '--no-wait',
        '--no-checksum',
        '--json',
        '--quiet',
      ],
      {},
    );
    expect(parsed).toEqual({
      files: ['a.csv', 'b.csv'],
      server: 'https://uploads.example.com',
      token: 't0k',
      chunkSize: 8 * 1024 * 1024,
      parallel: 4,
      metadata: { delimiter: ';', header: 'false' },
      mappingFile: 'm.json',
      wait: false,
      review: false,
      checksum: false,
      json: true,
      quiet: true,
    });
  });

  it('--review sends review=true and does not wait for an import nobody started yet', () => {
    const parsed = parseUploadArguments(['a.csv', '--review'], {});
    expect(parsed).toMatchObject({ review: true, wait: false, metadata: { review: 'true' } });
    expect(parseUploadArguments(['a.csv', '--meta', 'review=TRUE'], {})).toMatchObject({ review: true, wait: false });
    expect(parseUploadArguments(['a.csv'], {})).toMatchObject({ review: false, wait: true });
  });

  it('falls back to UPLOAD_SERVER / UPLOAD_TOKEN, then to the defaults', () => {
    const fromEnv = parseUploadArguments(['a.csv'], { UPLOAD_SERVER: 'http://10.0.0.5:8080', UPLOAD_TOKEN: 'env' });
    expect(fromEnv).toMatchObject({
      server: 'http://10.0.0.5:8080',
      token: 'env',
      parallel: 2,
      wait: true,
      checksum: true,
    });
    const defaults = parseUploadArguments(['a.csv'], {});
    expect(defaults).toMatchObject({ server: DEFAULT_SERVER, token: undefined, chunkSize: undefined, json: false });
    // The flag wins over the environment.
    expect(parseUploadArguments(['a.csv', '--token', 'flag'], { UPLOAD_TOKEN: 'env' }).token).toBe('flag');
  });

  it('keeps everything after the first "=" of a --meta value', () => {
    expect(parseUploadArguments(['a.csv', '--meta', 'note=a=b'], {}).metadata).toEqual({ note: 'a=b' });
  });

  it.each([
    [[], /no files to upload/],
    [['a.csv', '--bogus'], /Unknown option '--bogus'/],
    [['a.csv', '--server'], /argument missing/],
    [['a.csv', '--server', 'ftp://x'], /--server must be an http\(s\) URL/],
    [['a.csv', '--server', 'not a url'], /--server must be an http\(s\) URL/],
    [['a.csv', '--parallel', '0'], /--parallel must be a whole number/],
    [['a.csv', '--parallel', '1.5'], /--parallel must be a whole number/],
    [['a.csv', '--chunk-size=-1'], /--chunk-size must be a positive number/],
    [['a.csv', '--meta', 'novalue'], /--meta must be key=value/],
    [['a.csv', '--meta', 'bad key=1'], /--meta must be key=value/],
    [['a.csv', '--meta', 'mapping={}', '--mapping', 'm.json'], /either with --mapping or with --meta/],
    [['a.csv', '--meta', 'review=false', '--review'], /either with --review or with --meta review/],
  ])('refuses %j as a usage error', (args, message) => {
    let caught: unknown;
    try {
      parseUploadArguments(args, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['1048576', 1048576],
    ['512k', 512 * 1024],
    ['8M', 8 * 1024 ** 2],
    ['8MiB', 8 * 1024 ** 2],
    ['1 GB', 1024 ** 3],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['0', '', 'ten', '1.5M', '5T'])('refuses %j', (text) => {
    expect(() => parseByteSize(text)).toThrow(UsageError);
  });
});
