/**
 * Builds a MongoDB `$text` search string from what a user typed in the search box.
 *
 * What must stay true: user text is never `$text` syntax. That syntax has two operators, a
 * leading `-` (negation) and `"` (phrase); a search string made only of quoted runs of letters
 * and digits holds neither as an operator. Quoted phrases must all match (MongoDB ANDs them),
 * which gives the Store's "every word" rule, case- and diacritic-insensitive under a version 3
 * text index; unquoted words would be ORed.
 */
import { MAX_SEARCH_WORDS, searchWords } from '../search-words';

/** A run of letters and digits, with the marks that belong to them. */
const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

/** The `$search` string, or undefined when the query holds nothing searchable. */
export function toTextSearch(query: string): string | undefined {
  // The text index splits "roll!" or "foo-bar" at the punctuation; so does this, and a word
  // becomes its runs.
  const tokens = searchWords(query)
    .flatMap((word) => word.match(TOKEN) ?? [])
    .slice(0, MAX_SEARCH_WORDS);
  if (tokens.length === 0) return undefined;
  return tokens.map((token) => `"${token}"`).join(' ');
}
