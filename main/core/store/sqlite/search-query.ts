/**
 * Builds an FTS5 MATCH expression from what a user typed in the search box.
 *
 * What must stay true: user text is never FTS5 syntax. Each whitespace-separated word becomes a
 * quoted string (inner quotes doubled), so AND, OR, NOT, NEAR, `*`, `^`, `:`, brackets and
 * unbalanced quotes are plain text; inside the quotes the tokenizer splits "foo-bar" the way it
 * split the stored text. Words are ANDed, and each matches as a prefix, so "meet" finds
 * "meeting" while the user is still typing.
 */

/** Longest query used, in characters; the rest is ignored (a search box, not a document). */
export const MAX_SEARCH_QUERY_CHARS = 1_000;
/** Most words used; more words only narrow the result and cost time. */
export const MAX_SEARCH_WORDS = 16;

// A word that holds no letter or digit yields no token under unicode61 (emoji and punctuation
// are separators), and an empty phrase is no use in a query, so such words are dropped.
const HAS_TOKEN_CHAR = /[\p{L}\p{N}]/u;
// FTS5 reads the query as a C string, so a NUL would end it inside a quoted word ("unterminated
// string"); control characters are never part of a word anyway.
const CONTROL_CHARS = /\p{Cc}/gu;

/** The MATCH expression, or undefined when the query holds nothing searchable. */
export function toFtsQuery(query: string): string | undefined {
  const words = query
    .slice(0, MAX_SEARCH_QUERY_CHARS)
    .normalize('NFC')
    .replace(CONTROL_CHARS, ' ')
    .split(/\s+/u)
    .filter((word) => HAS_TOKEN_CHAR.test(word))
    .slice(0, MAX_SEARCH_WORDS);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' ');
}
