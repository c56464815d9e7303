import { replaceControlChars } from '../../shared/control-chars';
import { visible } from './visible-text';

/**
 * What a CLI command may touch: its arguments, its output streams and its environment.
 * Commands get this instead of reaching for `process`, so tests can run them in-process.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  env: process.env,
};

/** Exit codes: 0 success, 1 the command failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A wrong command line: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * One line of JSON. JSON.stringify escapes C0 control characters but writes DEL, C1 (CSI is
 * U+009B) and U+2028/U+2029 as they are: those are written as \u escapes too, which only ever
 * occur inside strings, so the value read back is the same.
 */
export function printJson(io: CliIo, value: unknown): void {
  io.out(
    replaceControlChars(
      JSON.stringify(value),
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

/**
 * A plain-text table: columns padded to their widest cell, two spaces apart. Cells are data
 * (names): each is shown with its control characters visible (visible-text.ts).
 */
export function formatTable(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(visible));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
