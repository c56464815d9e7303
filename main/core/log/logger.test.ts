import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('logger', () => {
  const lineOf = (fields: Record<string, unknown>): string => {
    const lines: string[] = [];
    createLogger({ level: 'debug', write: (l) => lines.push(l) }).info('peer_named', fields);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  it('writes one line an event, with its fields as JSON', () => {
    expect(lineOf({ name: 'Ann', n: 3 })).toMatch(/^\S+ info peer_named \{"name":"Ann","n":3\}$/);
  });

  it('writes no character a terminal acts on, whatever a peer put in a field', () => {
    const hostile = 'Eve\u001b[2J\r\nfake line\u009b31m\u007f\u0085\u2028\u2029end';
    const line = lineOf({ name: hostile });
    // Nothing below U+0020, nor DEL, C1, or the line and paragraph separators.
    const acted = [...line].filter((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    });
    expect(acted).toEqual([]);
    // And the field still reads back as exactly what was logged.
    const json = line.slice(line.indexOf('{'));
    expect(JSON.parse(json)).toEqual({ name: hostile });
  });
});
