/**
 * Control characters: the one rule for what a name may not contain, used by the local API
 * (display names, room names and topics), the room wire schemas (names in ops and join
 * requests, public room lists) and the CLI, which shows them visibly instead of writing them
 * to a terminal.
 *
 * What must stay true: C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F) and the Unicode line and
 * paragraph separators (U+2028, U+2029) are all in it. A terminal acts on C0 and C1 (ESC and
 * CSI start escape sequences; CR and LF move the cursor), and U+2028/U+2029 break lines in
 * some viewers, so none of them may appear in a name, or reach a terminal from data.
 */

const CONTROL_CHAR_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]';

const CONTROL_CHAR = new RegExp(CONTROL_CHAR_CLASS);
const EVERY_CONTROL_CHAR = new RegExp(CONTROL_CHAR_CLASS, 'g');

export function hasControlChars(text: string): boolean {
  return CONTROL_CHAR.test(text);
}

/** `text` with each control character replaced by what `show` makes of it. */
export function replaceControlChars(text: string, show: (char: string) => string): string {
  return text.replace(EVERY_CONTROL_CHAR, show);
}
