/**
 * Builds an FTS5 MATCH expression from what a user typed in the search box.
 *
 * What must stay true: user text is never FTS5 syntax. Each word (search-words.ts) becomes a
 * quoted string (inner quotes doubled), so AND, OR, NOT, NEAR, `*`, `^`, `:`, brackets and
 * unbalanced quotes are plain text; inside the quotes the tokenizer splits "foo-bar" the way it
 * split the stored text. Words are ANDed, and each matches as a prefix, so "meet" finds
 * "meeting" while the user is still typing.
 */
import { searchWords } from '../search-words';

/** The MATCH expression, or undefined when the query holds nothing searchable. */
export function toFtsQuery(query: string): string | undefined {
  const words = searchWords(query);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(' ');
}
