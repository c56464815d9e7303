import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../../shared/api';
import { silentLogger } from '../log/logger';
import { createSqliteStore } from '../store/sqlite/sqlite-store';
import type { Store } from '../store/store';
import { tempDirs } from '../testing/temp-dir';
import { createNodeSettings, discoveryChannel, SETTING_KEYS } from './node-settings';

const dirs = tempDirs();
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  dirs.cleanup();
});

async function openStore(): Promise<Store> {
  const store = createSqliteStore({ path: join(dirs.make(), 'parley.db') });
  stores.push(store);
  await store.open();
  return store;
}

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
});
