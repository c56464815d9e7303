import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../shared/api';
import { silentLogger } from '../log/logger';
import { tempStores } from '../store/sqlite/testing/temp-stores';
import { DEFAULT_ROTATION, type RotationPolicy } from '../rooms/room-service';
import {
  createNodeSettings,
  discoveryChannel,
  rotationPolicy,
  SETTING_KEYS,
} from './node-settings';

const temp = tempStores();
afterEach(() => temp.cleanup());
const openStore = temp.open;

const IN_USE = { group: '239.255.77.77', port: 47777 };
const DAY_MS = 86_400_000;

/** A stand-in for the room service's policy: what it was last given. */
function fixedRotation(policy: RotationPolicy) {
  const applied: RotationPolicy[] = [];
  return {
    applied,
    current: () => applied.at(-1) ?? policy,
    apply: (p: RotationPolicy) => void applied.push(p),
  };
}

describe('node settings', () => {
  it('ignore stored values that do not pass the schema, for the defaults', async () => {
    const store = await openStore();
    await store.setSetting(SETTING_KEYS.notifications, 'perhaps');
    await store.setSetting(SETTING_KEYS.discoveryGroup, '224.0.0.251');
    await store.setSetting(SETTING_KEYS.discoveryPort, '80');
    const emitted: Settings[] = [];
    const settings = createNodeSettings({
      store,
      logger: silentLogger,
      inUse: IN_USE,
      rotation: fixedRotation(DEFAULT_ROTATION),
      emit: (s) => emitted.push(s),
    });
    expect(await settings.get()).toEqual({
      notifications: true,
      discoveryGroup: IN_USE.group,
      discoveryPort: IN_USE.port,
      restartRequired: false,
      rotateAfterMessages: 1000,
      rotateAfterDays: 7,
    });
    expect(emitted).toEqual([]);
  });

  it('pick the configured channel first, then the stored one, then the defaults', () => {
    const stored = { notifications: undefined, discoveryGroup: '239.1.1.1', discoveryPort: 40000 };
    expect(discoveryChannel({ port: 41000 }, stored)).toEqual({ group: '239.1.1.1', port: 41000 });
    expect(discoveryChannel({}, stored)).toEqual({ group: '239.1.1.1', port: 40000 });
    expect(
      discoveryChannel({}, { ...stored, discoveryGroup: undefined, discoveryPort: undefined }),
    ).toEqual(IN_USE);
  });

  it('keep the rotation limits given for later starts, and use the kept ones when none is', async () => {
    const store = await openStore();
    expect(await rotationPolicy(store, {}, silentLogger)).toEqual(DEFAULT_ROTATION);
    expect(await rotationPolicy(store, { maxMessages: 0 }, silentLogger)).toEqual({
      ...DEFAULT_ROTATION,
      maxMessages: 0,
    });
    expect(await rotationPolicy(store, { maxAgeMs: 86_400_000 }, silentLogger)).toEqual({
      maxMessages: 0,
      maxAgeMs: 86_400_000,
    });
    expect(await rotationPolicy(store, {}, silentLogger)).toEqual({
      maxMessages: 0,
      maxAgeMs: 86_400_000,
    });
    // A value written by hand that is not a whole number is ignored for the default.
    await store.setSetting(SETTING_KEYS.rotationMaxMessages, '-5');
    expect((await rotationPolicy(store, {}, silentLogger)).maxMessages).toBe(
      DEFAULT_ROTATION.maxMessages,
    );
    await expect(rotationPolicy(store, { maxMessages: 1.5 }, silentLogger)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    // As is one beyond the API's bounds; and a refused call keeps none of what it was given.
    await store.setSetting(SETTING_KEYS.rotationMaxAgeMs, String(3651 * DAY_MS));
    expect((await rotationPolicy(store, {}, silentLogger)).maxAgeMs).toBe(
      DEFAULT_ROTATION.maxAgeMs,
    );
    await expect(
      rotationPolicy(store, { maxMessages: 5, maxAgeMs: 3651 * DAY_MS }, silentLogger),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      rotationPolicy(store, { maxMessages: 10_000_001 }, silentLogger),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await rotationPolicy(store, {}, silentLogger)).maxMessages).toBe(
      DEFAULT_ROTATION.maxMessages,
    );
  });

  it('apply a changed rotation policy to the running node and keep it, leaving the other limit', async () => {
    const store = await openStore();
    const rotation = fixedRotation(DEFAULT_ROTATION);
    const emitted: Settings[] = [];
    const settings = createNodeSettings({
      store,
      logger: silentLogger,
      inUse: IN_USE,
      rotation,
      emit: (s) => emitted.push(s),
    });
    const changed = await settings.update({ rotateAfterMessages: 3 });
    expect(rotation.applied).toEqual([{ maxMessages: 3, maxAgeMs: DEFAULT_ROTATION.maxAgeMs }]);
    expect(changed).toMatchObject({ rotateAfterMessages: 3, rotateAfterDays: 7 });
    await settings.update({ rotateAfterDays: 0 });
    expect(rotation.applied.at(-1)).toEqual({ maxMessages: 3, maxAgeMs: 0 });
    expect(emitted.map((s) => [s.rotateAfterMessages, s.rotateAfterDays])).toEqual([
      [3, 7],
      [3, 0],
    ]);
    // Kept: what a later start without flags reads.
    expect(await rotationPolicy(store, {}, silentLogger)).toEqual({ maxMessages: 3, maxAgeMs: 0 });
    // Other settings leave the policy alone.
    await settings.update({ notifications: false });
    expect(rotation.applied).toHaveLength(2);
  });
});
