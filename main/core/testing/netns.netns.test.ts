// The test LAN itself: hosts reach each other over the bridge, and an unplugged host does not.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createTestLan, netnsUnavailableReason, removeStaleLans, type TestLan } from './netns';

const skip = netnsUnavailableReason();
let lan: TestLan | undefined;
afterAll(() => lan?.destroy());

describe.skipIf(skip !== undefined)(
  `test LAN in network namespaces${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('connects hosts through the bridge, and unplugging cuts one off', () => {
      removeStaleLans();
      lan = createTestLan(3);
      const [a, b, c] = lan.hosts as [
        TestLan['hosts'][0],
        TestLan['hosts'][0],
        TestLan['hosts'][0],
      ];
      const ping = (from: typeof a, to: typeof a): boolean => {
        try {
          execFileSync('ip', ['netns', 'exec', from.ns, 'ping', '-c', '1', '-W', '2', to.address], {
            stdio: 'ignore',
          });
          return true;
        } catch {
          return false;
        }
      };
      expect(ping(a, b)).toBe(true);
      expect(ping(a, c)).toBe(true);
      lan.unplug(c);
      expect(ping(a, c)).toBe(false);
      lan.plug(c);
      expect(ping(a, c)).toBe(true);
    });
  },
);
