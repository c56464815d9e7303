import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../shared/api';
import { silentLogger } from '../log/logger';
import { tempStores } from '../store/sqlite/testing/temp-stores';
import { DEFAULT_ROTATION } from '../rooms/room-service';
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
      emit: (s) => emitted.push(s),
    });
    expect(await settings.get()).toEqual({
      notifications: true,
      discoveryGroup: IN_USE.group,
      discoveryPort: IN_USE.port,
      restartRequired: false,
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
  });
});
