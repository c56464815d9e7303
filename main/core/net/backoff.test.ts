import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff';

describe('backoff', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };

  it('grows the ceiling exponentially up to the maximum', () => {
    const ceiling = (attempt: number) => backoffDelayMs(attempt, policy, () => 0.999_999) + 1;
    expect(ceiling(0)).toBe(500);
    expect(ceiling(1)).toBe(1_000);
    expect(ceiling(3)).toBe(4_000);
    expect(ceiling(6)).toBe(30_000);
    expect(ceiling(1_000)).toBe(30_000);
  });

  it('draws the delay anywhere between zero and the ceiling (full jitter)', () => {
    expect(backoffDelayMs(4, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(4, policy, () => 0.5)).toBe(4_000);
    for (let i = 0; i < 1_000; i++) {
      const d = backoffDelayMs(i % 10, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(30_000);
    }
  });
});
