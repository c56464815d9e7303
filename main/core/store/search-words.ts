/**
 * The words of what a user typed in the search box, as every backend reads them before turning
 * them into its own query language.
 *
 * What must stay true: a word is plain text, whatever it looks like to a query language, and a
 * query that holds nothing searchable yields no words (searchMessages then answers []).
 */

/** Longest query used, in characters; the rest is ignored (a search box, not a document). */
export const MAX_SEARCH_QUERY_CHARS = 1_000;
/** Most words used; more words only narrow the result and cost time. */
export const MAX_SEARCH_WORDS = 16;

// A word that holds no letter or digit yields no token in a full-text index (emoji and
// punctuation are separators), and an empty word is no use in a query, so such words are
// dropped.
const HAS_TOKEN_CHAR = /[\p{L}\p{N}]/u;
// Query languages read the query as a C string, where a NUL ends it inside a word; control
// characters are never part of a word anyway.
const CONTROL_CHARS = /\p{Cc}/gu;

/**
 * The whitespace-separated words of the query in composed Unicode (NFC), each holding at least
 * one letter or digit, at most MAX_SEARCH_WORDS of them.
 */
export function searchWords(query: string): string[] {
  return query
    .slice(0, MAX_SEARCH_QUERY_CHARS)
    .normalize('NFC')
    .replace(CONTROL_CHARS, ' ')
    .split(/\s+/u)
    .filter((word) => HAS_TOKEN_CHAR.test(word))
    .slice(0, MAX_SEARCH_WORDS);
}
