/**
 * Opened SQLite stores in folders of their own, for unit tests that need a real store:
 * `cleanup()` (from afterEach) closes every one and deletes its folder.
 */
import { join } from 'node:path';
import { tempDirs } from '../../../testing/temp-dir';
import type { Store } from '../../store';
import { createSqliteStore } from '../sqlite-store';

export function tempStores() {
  const dirs = tempDirs();
  const stores: Store[] = [];
  return {
    async open(): Promise<Store> {
      const store = createSqliteStore({ path: join(dirs.make(), 'parley.db') });
      stores.push(store);
      await store.open();
      return store;
    },
    async cleanup(): Promise<void> {
      for (const s of stores.splice(0)) await s.close();
      dirs.cleanup();
    },
  };
}
