// Settings through the API router of real nodes on loopback: defaults, updates with the event,
// plain-word refusals, and the stored discovery channel taking effect at the next start unless
// the configuration names one (discovery pinned to 127.0.0.1 throughout).
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../shared/api';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort } from '../testing/wait';
import { testNodes } from '../testing/test-nodes';
import { call } from '../rooms/testing/rooms-test-kit';
import { DEFAULT_GROUP } from '../discovery';

const dirs = tempDirs();
const { lanNode, isolatedNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

describe('settings', () => {
  it('start with notifications on and the discovery channel in use', async () => {
    const port = randomTestPort();
    const node = lanNode('Ann', port);
    await node.start();
    expect(await call(node, 'settings.get', {})).toEqual({
      notifications: true,
      discoveryGroup: DEFAULT_GROUP,
      discoveryPort: port,
      restartRequired: false,
      rotateAfterMessages: 1000,
      rotateAfterDays: 7,
    });
  });

  it('change what is given, tell every client, and keep it across a restart', async () => {
    const dataDir = dirs.make();
    const node = isolatedNode('Ann', dataDir);
    await node.start();
    const seen: Settings[] = [];
    node.api.on('settings.updated', (s) => seen.push(s));
    const off = await call(node, 'settings.update', { notifications: false });
    expect(off).toMatchObject({ notifications: false, restartRequired: false });
    const moved = await call(node, 'settings.update', {
      discoveryGroup: '239.1.2.3',
      discoveryPort: 50_123,
    });
    expect(moved).toEqual({
      notifications: false,
      discoveryGroup: '239.1.2.3',
      discoveryPort: 50_123,
      restartRequired: true,
      rotateAfterMessages: 1000,
      rotateAfterDays: 7,
    });
    expect(seen).toEqual([off, moved]);
    await node.close();
    const again = isolatedNode('Ann', dataDir);
    await again.start();
    expect(await call(again, 'settings.get', {})).toMatchObject({
      notifications: false,
      discoveryGroup: '239.1.2.3',
      discoveryPort: 50_123,
    });
  });

  it('refuse a group outside 239.x.y.z and a port outside 1024-65535, in plain words', async () => {
    const node = isolatedNode('Ann');
    await node.start();
    for (const args of [
      { discoveryGroup: '224.0.0.1' },
      { discoveryGroup: '239.1.2.300' },
      { discoveryGroup: 'not a group' },
      { discoveryPort: 80 },
      { discoveryPort: 70_000 },
      { discoveryPort: 5000.5 },
    ]) {
      const r = await node.api.invoke('settings.update', args);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_REQUEST');
        expect(r.error.message).toMatch(/^The discovery (group|port) must be /);
      }
    }
    expect(await call(node, 'settings.get', {})).toMatchObject({
      discoveryGroup: DEFAULT_GROUP,
      restartRequired: false,
    });
  });

  it('refuse a key renewal limit that is not a whole number in range, in plain words', async () => {
    const node = isolatedNode('Ann');
    await node.start();
    for (const args of [
      { rotateAfterMessages: -1 },
      { rotateAfterMessages: 2.5 },
      { rotateAfterMessages: 10_000_001 },
      { rotateAfterMessages: '10' },
      { rotateAfterDays: -1 },
      { rotateAfterDays: 0.5 },
      { rotateAfterDays: 3651 },
      { rotateAfterMessages: 5, rotateAfterDays: null },
    ]) {
      const r = await node.api.invoke('settings.update', args);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_REQUEST');
        expect(r.error.message).toMatch(
          /^The number of (messages|days) after which a room's key is renewed must be a whole number from 0 \(never\) to (10,000,000|3,650)\.$/,
        );
      }
    }
    expect(await call(node, 'settings.get', {})).toMatchObject({
      rotateAfterMessages: 1000,
      rotateAfterDays: 7,
    });
    expect(
      await call(node, 'settings.update', { rotateAfterMessages: 10_000_000, rotateAfterDays: 0 }),
    ).toMatchObject({ rotateAfterMessages: 10_000_000, rotateAfterDays: 0 });
  });

  it('apply the stored discovery channel at the next start; a configured one wins', async () => {
    const dataDir = dirs.make();
    const first = isolatedNode('Ann', dataDir);
    await first.start();
    const stored = randomTestPort();
    await call(first, 'settings.update', { discoveryGroup: '239.255.1.2', discoveryPort: stored });
    await first.close();

    // No port or group configured: the stored ones are used.
    const second = lanNode('Ann', stored, { dataDir, discovery: { interfaces: ['127.0.0.1'] } });
    await second.start();
    expect(second.discoveryChannel).toEqual({ group: '239.255.1.2', port: stored });
    expect((await call(second, 'settings.get', {})).restartRequired).toBe(false);
    await second.close();

    // A configured port (a command-line flag) wins over the stored one.
    const flagged = stored === 65_535 ? stored - 1 : stored + 1;
    const third = lanNode('Ann', flagged, { dataDir });
    await third.start();
    expect(third.discoveryChannel).toEqual({ group: '239.255.1.2', port: flagged });
    expect(await call(third, 'settings.get', {})).toMatchObject({
      discoveryPort: stored,
      restartRequired: true,
    });
  });
});
