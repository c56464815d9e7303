import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_WORDS } from '../search-words';
import { toFtsQuery } from './search-query';

describe('toFtsQuery', () => {
  it('quotes each word as a prefix and ANDs them', () => {
    expect(toFtsQuery('meet  tomorrow')).toBe('"meet"* "tomorrow"*');
  });

  it('makes operators, brackets and quotes plain text', () => {
    expect(toFtsQuery('a AND b')).toBe('"a"* "AND"* "b"*');
    expect(toFtsQuery('NEAR(x y)')).toBe('"NEAR(x"* "y)"*');
    expect(toFtsQuery('say "hi')).toBe('"say"* """hi"*');
    expect(toFtsQuery('text:x')).toBe('"text:x"*');
  });

  it('drops words without letters or digits, and control characters', () => {
    expect(toFtsQuery('🙂 * ( ) " ok')).toBe('"ok"*');
    expect(toFtsQuery('a\u0000b')).toBe('"a"* "b"*');
    expect(toFtsQuery('')).toBeUndefined();
    expect(toFtsQuery(' \t\n')).toBeUndefined();
    expect(toFtsQuery('"" ** ()')).toBeUndefined();
  });

  it('uses composed unicode, so a decomposed accent matches as typed', () => {
    expect(toFtsQuery('cafe\u0301')).toBe('"caf\u00e9"*');
  });

  it('keeps at most MAX_SEARCH_WORDS words', () => {
    const words = Array.from({ length: MAX_SEARCH_WORDS + 5 }, (_, i) => `w${i}`);
    expect(toFtsQuery(words.join(' '))?.split(' ')).toHaveLength(MAX_SEARCH_WORDS);
  });
});
