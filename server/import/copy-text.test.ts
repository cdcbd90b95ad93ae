import { describe, expect, it } from 'vitest';
import { copyTextPieces, copyTextValue, rowJson, withoutNul } from './copy-text.ts';

describe('COPY text serialisation', () => {
  it('escapes what COPY text format treats as special', () => {
    expect(copyTextValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('replaces U+0000 in keys and values, which jsonb refuses', () => {
    expect(withoutNul('a\u0000b')).toBe('a\uFFFDb');
    expect(JSON.parse(rowJson({ 'k\u0000': 'v\u0000', ok: '\\u0000 as text' }))).toEqual({
      'k\uFFFD': 'v\uFFFD',
      ok: '\\u0000 as text',
    });
  });

  it('writes one line per row with the JSON backslashes doubled', () => {
    const rows = [
      { recordNumber: 1, data: { a: 'tab\there', b: 'back\\slash' } },
      { recordNumber: 2, data: { a: 'line\nbreak', b: '"quoted"' } },
    ];
    expect([...copyTextPieces('up', rows, 1)]).toEqual([
      'up\t1\t{"a":"tab\\\\there","b":"back\\\\\\\\slash"}\n',
      'up\t2\t{"a":"line\\\\nbreak","b":"\\\\"quoted\\\\""}\n',
    ]);
  });
});
