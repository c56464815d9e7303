/**
 * Text from data (names, messages, a peer's error message) made safe to write to a terminal.
 * A terminal acts on control characters: ESC and CSI start sequences that can clear the
 * screen, retitle the window or move the cursor, and CR or LF can make one message look like
 * several lines of output. Human-readable output passes such text through here; --json output
 * does not need to (JSON escapes them, see cli-io.ts).
 *
 * What must stay true: nothing returned holds a control character (shared/control-chars.ts)
 * except the line breaks `visibleLines` itself puts between lines, and every continuation line
 * starts with CONTINUATION_INDENT, so no line of a message can pass for a line of its own.
 */
import { replaceControlChars } from '../../shared/control-chars';

/** Put in front of the second and later lines of a multi-line text. */
export const CONTINUATION_INDENT = '    ';

/** A control character as JavaScript writes it: `\x1b`, `\x9b`, `\u2028`. */
function escapeOf(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line: every control character, line breaks included, shown as its escape. */
export function visible(text: string): string {
  return replaceControlChars(text, escapeOf);
}

/**
 * Text that may have several lines (a message): split at its line breaks (CRLF, CR or LF),
 * each line made visible, the second and later indented by CONTINUATION_INDENT.
 */
export function visibleLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(visible)
    .join(`\n${CONTINUATION_INDENT}`);
}
