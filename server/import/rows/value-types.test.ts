import { describe, expect, it } from 'vitest';
import { parseColumnMapping } from './column-mapping.ts';
import { errorPolicyVerdict } from './error-policy.ts';
import { TypeMismatch, valueParser } from './value-types.ts';

const ok = (type: Parameters<typeof valueParser>[0], cell: string, options = {}) => valueParser(type, options)(cell);
const fails = (type: Parameters<typeof valueParser>[0], cell: string, options = {}) =>
  expect(ok(type, cell, options)).toBeInstanceOf(TypeMismatch);

describe('value parsers', () => {
  it('text is never cast: leading zeros stay', () => {
    expect(ok('text', '007')).toBe('007');
  });
  it('integer: exact JSON numbers only', () => {
    expect(ok('integer', ' -42 ')).toBe(-42);
    fails('integer', '4.2');
    fails('integer', '1e3');
    fails('integer', '9007199254740993');
  });
  it('decimal: canonical strings with either separator', () => {
    expect(ok('decimal', '0012.500')).toBe('12.500');
    expect(ok('decimal', '-3,25', { decimalSeparator: ',' })).toBe('-3.25');
    expect(ok('decimal', '.5')).toBe('0.5');
    expect(ok('decimal', '-0')).toBe('0');
    fails('decimal', '3,25');
    fails('decimal', '1.234,5', { decimalSeparator: ',' });
  });
  it('boolean', () => {
    expect(['Yes', 'TRUE', '1', 'y'].map((cell) => ok('boolean', cell))).toEqual([true, true, true, true]);
    expect(['no', 'False', '0', 'off'].map((cell) => ok('boolean', cell))).toEqual([false, false, false, false]);
    fails('boolean', 'maybe');
  });
  it('date in a declared format, checked against the calendar', () => {
    expect(ok('date', '03/04/2024', { format: 'DD/MM/YYYY' })).toBe('2024-04-03');
    expect(ok('date', '03/04/2024', { format: 'MM/DD/YYYY' })).toBe('2024-03-04');
    expect(ok('date', '2024-02-29')).toBe('2024-02-29');
    fails('date', '2023-02-29');
    fails('date', '13/13/2024', { format: 'DD/MM/YYYY' });
  });
  it('timestamp: ISO 8601 or a declared format; zones converted to UTC', () => {
    expect(ok('timestamp', '2024-03-01T23:30:00-01:00')).toBe('2024-03-02T00:30:00Z');
    expect(ok('timestamp', '2024-03-01 10:00:05.250')).toBe('2024-03-01T10:00:05.250');
    expect(ok('timestamp', '01.03.2024 10:00', { format: 'DD.MM.YYYY HH:mm' })).toBe('2024-03-01T10:00:00');
    fails('timestamp', '2024-03-01 25:00');
  });
  it('email', () => {
    expect(ok('email', ' a.b+c@example.co.uk ')).toBe('a.b+c@example.co.uk');
    fails('email', 'a@b');
    fails('email', 'a b@example.com');
  });
});

describe('parseColumnMapping', () => {
  it('accepts the object or the bare array, naming columns after their source', () => {
    expect(parseColumnMapping('[{"source":"Zip"},{"source":2,"name":"n","type":"integer","required":true}]')).toEqual([
      { name: 'Zip', source: 'Zip', type: 'text', required: false },
      { name: 'n', source: 2, type: 'integer', required: true },
    ]);
  });
  it.each([
    ['not json', /not valid JSON/],
    ['{"columns":[]}', /at least one column/],
    ['[{"source":"a","type":"money"}]', /type "money"/],
    ['[{"source":0}]', /needs "source"/],
    ['[{"source":"a","colour":1}]', /unknown keys: colour/],
    ['[{"source":"a","type":"date","format":"DD/MM"}]', /must contain YYYY/],
    ['[{"source":"a"},{"source":"b","name":"a"}]', /used twice/],
  ])('refuses %s', (json, message) => {
    expect(() => parseColumnMapping(json)).toThrow(message);
  });
});

describe('errorPolicyVerdict', () => {
  it('maxErrors fails as soon as it is exceeded', () => {
    expect(errorPolicyVerdict({ maxErrors: 2 }, 10, 2, false)).toBeNull();
    expect(errorPolicyVerdict({ maxErrors: 2 }, 10, 3, false)).toMatch(/More than 2/);
  });
  it('maxErrorRatio is judged at the end', () => {
    expect(errorPolicyVerdict({ maxErrorRatio: 0.1 }, 10, 5, false)).toBeNull();
    expect(errorPolicyVerdict({ maxErrorRatio: 0.1 }, 10, 2, true)).toMatch(/maxErrorRatio/);
  });
  it('by default fails only when over half of the first 1000 rows are rejected', () => {
    expect(errorPolicyVerdict({}, 600, 500, false)).toBeNull();
    expect(errorPolicyVerdict({}, 700, 501, false)).toMatch(/More than half/);
    expect(errorPolicyVerdict({}, 5000, 4000, true)).toBeNull();
  });
});
