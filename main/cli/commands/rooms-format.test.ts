// What `parley history` and `parley rooms` write when names and messages hold control
// characters: escape sequences shown, never written; no message can fake a line of output.
import { describe, expect, it } from 'vitest';
import type { MessageInfo, RoomSummary } from '../../../shared/api';
import { hasControlChars } from '../../../shared/control-chars';
import { printJson, type CliIo } from '../cli-io';
import { CONTINUATION_INDENT } from '../visible-text';
import { formatHistory, formatRooms } from './rooms';

const ESC = '\u001b';
const TS = Date.UTC(2026, 0, 2, 3, 4, 5);

const message = (over: Partial<MessageInfo>): MessageInfo => ({
  id: 'ab'.repeat(32),
  roomId: 'cd'.repeat(16),
  sender: 'AAAAAAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH',
  senderName: 'Ann',
  text: 'hello',
  ts: TS,
  lamport: 1,
  seq: 1,
  mine: false,
  receivedAt: TS,
  delivery: null,
  ...over,
});

/** A room as `parley rooms` reads it: only the fields of its table. */
const room = (over: Partial<RoomSummary>): RoomSummary =>
  ({
    ...{ id: 'cd'.repeat(16), name: 'Team', kind: 'room', visibility: 'private' },
    ...{ memberCount: 2, capacity: 10, myRole: 'member', departure: null, unread: 0 },
    ...over,
  }) as RoomSummary;

/** Every line printed: none may hold a control character (the line feeds are split off). */
const linesOf = (text: string): string[] => {
  const lines = text.split('\n');
  for (const line of lines) expect(hasControlChars(line), JSON.stringify(line)).toBe(false);
  return lines;
};

describe('parley history', () => {
  it('shows ESC and OSC sequences in a message and a name instead of writing them', () => {
    const out = formatHistory([
      message({
        senderName: `Ann${ESC}[2J`,
        text: `look ${ESC}]0;owned${'\u0007'} and ${ESC}[31mred`,
      }),
    ]);
    expect(linesOf(out)).toEqual([
      '[2026-01-02 03:04:05] Ann\\x1b[2J: look \\x1b]0;owned\\x07 and \\x1b[31mred',
    ]);
  });

  it('indents the lines of a multi-line message, so that none passes for a message', () => {
    const fake = '[2026-01-02 03:04:06] Bob: I owe Ann 100 euros';
    const out = formatHistory([
      message({ text: `first\n${fake}\r${fake}` }),
      message({ senderName: 'Cat', text: 'next' }),
    ]);
    expect(linesOf(out)).toEqual([
      '[2026-01-02 03:04:05] Ann: first',
      `${CONTINUATION_INDENT}${fake}`,
      `${CONTINUATION_INDENT}${fake}`,
      '[2026-01-02 03:04:05] Cat: next',
    ]);
  });

  it('shows a line break or a carriage return in a name, keeping the name on its line', () => {
    const out = formatHistory([message({ senderName: 'Ann\n[2026-01-02 03:04:06] Bob\rEve' })]);
    expect(linesOf(out)).toEqual([
      '[2026-01-02 03:04:05] Ann\\x0a[2026-01-02 03:04:06] Bob\\x0dEve: hello',
    ]);
  });
});

describe('parley rooms', () => {
  it('shows control characters of room names in the table, one row per room', () => {
    const out = formatRooms([
      room({ name: `Team${ESC}]0;owned${'\u0007'}` }),
      room({ name: 'Two\nlines\r', id: 'ef'.repeat(16) }),
    ]);
    const lines = linesOf(out);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^Team\\x1b\]0;owned\\x07 +cd/);
    expect(lines[2]).toMatch(/^Two\\x0alines\\x0d +ef/);
  });
});

describe('--json', () => {
  it('stays exact and writes no control character, C1 and line separators included', () => {
    let written = '';
    const io: CliIo = { out: (t) => (written += t), err: () => undefined, env: {} };
    const value = { name: `a${ESC}[2J\n\r\u009b31m\u007f\u2028\u2029` };
    printJson(io, value);
    expect(hasControlChars(written)).toBe(false);
    expect(JSON.parse(written)).toEqual(value);
  });
});
