import { describe, expect, it } from 'vitest';
import { groupThousands } from './group-thousands';

describe('groupThousands', () => {
  it.each([0, 7, 999, 1000, 3650, 65_536, 1_000_000, 10_000_000, 123_456_789, -1234, 2.5, 1234.75])(
    'writes %d as toLocaleString("en-US") does',
    (n) => {
      expect(groupThousands(n)).toBe(n.toLocaleString('en-US', { maximumFractionDigits: 20 }));
    },
  );
});
