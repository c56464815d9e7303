import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  it('allows a burst, then the sustained rate', () => {
    const limiter = createRateLimiter({ burst: 5, perSecond: 2 });
    const taken = (n: number, t: number) =>
      Array.from({ length: n }, () => limiter.take('a', t)).filter(Boolean).length;
    expect(taken(10, 0)).toBe(5);
    expect(taken(10, 500)).toBe(1);
    expect(taken(10, 1500)).toBe(2);
    // Refill is capped at the burst.
    expect(taken(10, 1_000_000)).toBe(5);
  });

  it('keeps sources apart', () => {
    const limiter = createRateLimiter({ burst: 1, perSecond: 1 });
    expect(limiter.take('a', 0)).toBe(true);
    expect(limiter.take('a', 0)).toBe(false);
    expect(limiter.take('b', 0)).toBe(true);
  });

  it('refills nothing when the clock steps back', () => {
    const limiter = createRateLimiter({ burst: 1, perSecond: 1 });
    expect(limiter.take('a', 10_000)).toBe(true);
    expect(limiter.take('a', 0)).toBe(false);
    expect(limiter.take('a', 10_500)).toBe(false);
    expect(limiter.take('a', 11_000)).toBe(true);
  });

  it('tracks a bounded number of sources, forgetting the least recently used', () => {
    const limiter = createRateLimiter({ burst: 1, perSecond: 0.001, maxSources: 3 });
    for (const s of ['a', 'b', 'c']) limiter.take(s, 0);
    limiter.take('a', 0); // a is now the most recently used (and empty)
    limiter.take('d', 0); // evicts b
    expect(limiter.size()).toBe(3);
    expect(limiter.take('a', 0)).toBe(false); // still remembered, still empty
    expect(limiter.take('b', 0)).toBe(true); // forgotten: a fresh bucket
    for (let i = 0; i < 10_000; i++) limiter.take(`x${i}`, 0);
    expect(limiter.size()).toBe(3);
  });
});
