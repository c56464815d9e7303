import { describe, expect, it } from 'vitest';
import type { Logger } from '../log/logger';
import { createRejectCounter, MESSAGE_REJECTED_EVENT } from './reject-counter';
import { REJECT_REASONS, STORE_REJECT_REASONS } from './reject-reasons';

function recordingLogger(lines: [string, Record<string, unknown> | undefined][]): Logger {
  const logger: Logger = {
    debug: (event, fields) => lines.push([event, fields]),
    info: () => {},
    warn: () => {},
    error: () => {},
    child: () => logger,
  };
  return logger;
}

describe('reject counter', () => {
  it('starts with every reason at zero', () => {
    const snapshot = createRejectCounter().snapshot();
    expect(Object.keys(snapshot).sort()).toEqual(
      [...REJECT_REASONS, ...STORE_REJECT_REASONS].sort(),
    );
    expect(Object.values(snapshot).every((n) => n === 0)).toBe(true);
  });

  it('counts by reason and logs each refusal at debug with its fields', () => {
    const lines: [string, Record<string, unknown> | undefined][] = [];
    const counter = createRejectCounter({ logger: recordingLogger(lines) });
    counter.count('bad-signature', { room: 'r1' });
    counter.count('bad-signature');
    counter.count('future');
    expect(counter.snapshot()).toMatchObject({ 'bad-signature': 2, future: 1, malformed: 0 });
    expect(lines).toEqual([
      [MESSAGE_REJECTED_EVENT, { reason: 'bad-signature', room: 'r1' }],
      [MESSAGE_REJECTED_EVENT, { reason: 'bad-signature' }],
      [MESSAGE_REJECTED_EVENT, { reason: 'future' }],
    ]);
  });

  it('counts a caller’s own reasons too', () => {
    const counter = createRejectCounter();
    counter.count('unknown-room');
    expect(counter.snapshot()).toMatchObject({ 'unknown-room': 1, malformed: 0 });
  });

  it('hands out copies: a snapshot does not change afterwards', () => {
    const counter = createRejectCounter();
    const before = counter.snapshot();
    counter.count('oversized');
    expect(before['oversized']).toBe(0);
    expect(counter.snapshot()['oversized']).toBe(1);
  });
});
