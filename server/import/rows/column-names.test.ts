import { describe, expect, it } from 'vitest';
import { nameColumns } from './column-names.ts';

describe('nameColumns', () => {
  it('keeps clean names as they are', () => {
    expect(nameColumns(['id', 'name', 'e-mail'])).toEqual(['id', 'name', 'e-mail']);
  });

  it('trims whitespace and a stray BOM', () => {
    expect(nameColumns(['\uFEFFid', '  name '])).toEqual(['id', 'name']);
  });

  it('names empty headers by their 1-based position', () => {
    expect(nameColumns(['id', '', '  ', 'x'])).toEqual(['id', 'column_2', 'column_3', 'x']);
  });

  it('numbers duplicates from 2', () => {
    expect(nameColumns(['a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a_2', 'a_3']);
  });

  it('never produces a name twice, even when a suffixed name already exists', () => {
    const names = nameColumns(['a', 'a_2', 'a', 'column_2', '']);
    expect(names).toEqual(['a', 'a_2', 'a_3', 'column_2', 'column_5']);
    expect(new Set(names).size).toBe(names.length);
  });
});
