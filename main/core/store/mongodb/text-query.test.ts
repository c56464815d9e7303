import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_WORDS } from '../search-words';
import { toTextSearch } from './text-query';

describe('toTextSearch', () => {
  it('quotes each word, so that every word must match', () => {
    expect(toTextSearch('meet  tomorrow')).toBe('"meet" "tomorrow"');
  });

  it('leaves no negation, phrase or query operator in user text', () => {
    expect(toTextSearch('-rock')).toBe('"rock"');
    expect(toTextSearch('say "hi there"')).toBe('"say" "hi" "there"');
    expect(toTextSearch('roll! foo-bar')).toBe('"roll" "foo" "bar"');
    expect(toTextSearch('{"$gt": ""} $where')).toBe('"gt" "where"');
  });

  it('keeps letters of every script, accents and digits', () => {
    expect(toTextSearch('Привет, Grüße 2024')).toBe('"Привет" "Grüße" "2024"');
    expect(toTextSearch('cafe\u0301')).toBe('"caf\u00e9"');
  });

  it('yields nothing for a query without letters or digits', () => {
    expect(toTextSearch('')).toBeUndefined();
    expect(toTextSearch(' \t\n')).toBeUndefined();
    expect(toTextSearch('"" ** () 🙂 -')).toBeUndefined();
    expect(toTextSearch('hello\u0000world')).toBe('"hello" "world"');
  });

  it('keeps at most MAX_SEARCH_WORDS words, also when a word splits into several', () => {
    const words = Array.from({ length: MAX_SEARCH_WORDS + 5 }, (_, i) => `w${i}`);
    expect(toTextSearch(words.join(' '))?.split(' ')).toHaveLength(MAX_SEARCH_WORDS);
    expect(toTextSearch(words.join('-'))?.split(' ')).toHaveLength(MAX_SEARCH_WORDS);
  });
});
