import { describe, it, expect } from 'vitest';
import { randomBytes, randomId } from './random';

describe('random', () => {
  it('gives the number of bytes asked for', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(33)).toHaveLength(33);
  });

  it('gives 128-bit IDs as 32 lowercase hex characters that do not repeat', () => {
    const ids = Array.from({ length: 1000 }, () => randomId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
