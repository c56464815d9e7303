/**
 * A token bucket per source address, so that one noisy or hostile host cannot make this node
 * spend its CPU on signature checks (or its bandwidth on answers). Pure: the caller passes the
 * time.
 *
 * What must stay true:
 * - Memory is bounded: at most `maxSources` buckets; the least recently used is evicted.
 *   An evicted source starts again with a full bucket, which is the cost of the bound.
 * - `take` never throws and does O(1) work.
 */

export interface RateLimiterOptions {
  /** Tokens a source may spend at once. Default: `RATE_LIMIT_BURST` (20 packets). */
  burst?: number;
  /** Tokens added per second. Default: `RATE_LIMIT_PER_SECOND` (10 packets/s). */
  perSecond?: number;
  /** Sources remembered. Default: `RATE_LIMIT_MAX_SOURCES` (4096 addresses). */
  maxSources?: number;
}

/** Packets a source may send back to back. */
export const RATE_LIMIT_BURST = 20;
/** Sustained packets per second per source. */
export const RATE_LIMIT_PER_SECOND = 10;
/** Source addresses tracked at once (each costs a few dozen bytes). */
export const RATE_LIMIT_MAX_SOURCES = 4096;

export interface RateLimiter {
  /** Spends one token of `source`; false when it has none left. */
  take(source: string, nowMs: number): boolean;
  /** Sources currently tracked (for tests). */
  size(): number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const burst = options.burst ?? RATE_LIMIT_BURST;
  const perMs = (options.perSecond ?? RATE_LIMIT_PER_SECOND) / 1000;
  const maxSources = options.maxSources ?? RATE_LIMIT_MAX_SOURCES;
  // A Map iterates in insertion order; re-inserting on use makes the first key the least
  // recently used one.
  const buckets = new Map<string, Bucket>();

  return {
    take(source, nowMs) {
      let bucket = buckets.get(source);
      if (bucket === undefined) {
        if (buckets.size >= maxSources) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        bucket = { tokens: burst, updatedMs: nowMs };
      } else {
        buckets.delete(source);
        // A clock that steps back refills nothing rather than going negative.
        const elapsed = Math.max(0, nowMs - bucket.updatedMs);
        bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perMs);
        bucket.updatedMs = Math.max(bucket.updatedMs, nowMs);
      }
      buckets.set(source, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    size: () => buckets.size,
  };
}
