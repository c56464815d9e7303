import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger';
import { tempStores } from '../store/sqlite/testing/temp-stores';
import { createSecurityAlertBook, MAX_KEPT_ALERTS, type NewSecurityAlert } from './security-alerts';

const temp = tempStores();
afterEach(() => temp.cleanup());
const openStore = temp.open;

const mismatch = (address: string, at = 1): NewSecurityAlert => ({
  kind: 'key-mismatch',
  expected: 'E'.repeat(63),
  presented: 'P'.repeat(63),
  address,
  message: `Not the expected device at ${address}.`,
  at,
});

describe('security alert book', () => {
  it('keeps one alert per mismatch, the newest ones, across a reload', async () => {
    const store = await openStore();
    const book = createSecurityAlertBook(store, silentLogger);
    const first = book.raise(mismatch('10.0.0.1:47778'));
    await first.saved;
    await book.raise(mismatch('10.0.0.1:47778', 2)).saved;
    expect(book.list()).toEqual([{ ...mismatch('10.0.0.1:47778', 2), id: first.alert.id }]);

    for (let i = 0; i < MAX_KEPT_ALERTS + 5; i++)
      await book.raise(mismatch(`10.0.1.${i}:47778`)).saved;
    const again = createSecurityAlertBook(store, silentLogger);
    await again.load();
    expect(again.list()).toHaveLength(MAX_KEPT_ALERTS);
    expect(again.list().at(-1)?.address).toBe(`10.0.1.${MAX_KEPT_ALERTS + 4}:47778`);
  });

  it('starts empty from a stored value that is not a list of alerts', async () => {
    const store = await openStore();
    for (const damaged of ['{not json', '[{"id":"x"}]', JSON.stringify('alerts')]) {
      await store.setSetting('security.alerts', damaged);
      const book = createSecurityAlertBook(store, silentLogger);
      await book.load();
      expect(book.list()).toEqual([]);
    }
  });
});
