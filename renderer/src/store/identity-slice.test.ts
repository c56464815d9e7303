import { afterEach, describe, expect, it } from 'vitest';
import type { IdentityInfo } from '../../../shared/api';
import { createAppStore, type AppStore } from './app-store';
import { fakeApi } from './testing/fake-api';

const ALICE: IdentityInfo = {
  deviceId: 'ABCD2-EFGH3-IJKL4-MNOP5',
  shortId: 'ABCD2',
  fingerprint: '1234 5678 9abc',
  name: 'Alice',
};

let store: AppStore | undefined;
afterEach(() => store?.dispose());

describe('identity slice', () => {
  it('loads the identity from identity.get', async () => {
    const { api, calls } = fakeApi({ 'identity.get': () => ({ ok: true, value: ALICE }) });
    store = createAppStore(api);
    expect(store.getState().identity.info).toBeNull();

    const loading = store.getState().loadIdentity();
    expect(store.getState().identity.loading).toBe(true);
    await loading;

    expect(calls).toEqual([{ name: 'identity.get', args: {} }]);
    expect(store.getState().identity).toMatchObject({
      info: ALICE,
      loading: false,
      loadError: null,
    });
  });

  it('keeps the words of a failed load', async () => {
    const { api } = fakeApi({
      'identity.get': () => ({
        ok: false,
        error: { code: 'NOT_RUNNING', message: 'The Parley node is not running.' },
      }),
    });
    store = createAppStore(api);
    await store.getState().loadIdentity();
    expect(store.getState().identity).toMatchObject({
      info: null,
      loading: false,
      loadError: 'The Parley node is not running.',
    });
  });

  it('saves a new name with identity.setName and shows the node’s answer', async () => {
    const { api, calls } = fakeApi({
      'identity.get': () => ({ ok: true, value: ALICE }),
      'identity.setName': (args) => ({
        ok: true,
        value: { ...ALICE, name: args.name.trim() },
      }),
    });
    store = createAppStore(api);
    await store.getState().loadIdentity();

    const saving = store.getState().setDisplayName(' Alice B ');
    expect(store.getState().identity.nameSave.status).toBe('saving');
    await expect(saving).resolves.toBe(true);

    expect(calls.at(-1)).toEqual({ name: 'identity.setName', args: { name: ' Alice B ' } });
    expect(store.getState().identity.info?.name).toBe('Alice B');
    expect(store.getState().identity.nameSave).toEqual({ status: 'saved', error: null });
  });

  it('shows why a name was refused, and keeps the old name', async () => {
    const { api } = fakeApi({
      'identity.get': () => ({ ok: true, value: ALICE }),
      'identity.setName': () => ({
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'name: A display name cannot be empty.' },
      }),
    });
    store = createAppStore(api);
    await store.getState().loadIdentity();

    await expect(store.getState().setDisplayName('   ')).resolves.toBe(false);
    expect(store.getState().identity.info?.name).toBe('Alice');
    expect(store.getState().identity.nameSave).toEqual({
      status: 'failed',
      error: 'name: A display name cannot be empty.',
    });

    store.getState().resetNameSave();
    expect(store.getState().identity.nameSave).toEqual({ status: 'idle', error: null });
  });

  it('follows identity.updated events', async () => {
    const { api, emit } = fakeApi({ 'identity.get': () => ({ ok: true, value: ALICE }) });
    store = createAppStore(api);
    await store.getState().loadIdentity();

    emit('identity.updated', { ...ALICE, name: 'Alice (laptop)' });
    expect(store.getState().identity.info?.name).toBe('Alice (laptop)');
  });

  it('unsubscribes from events on dispose', () => {
    const { api, emit, listenerCount } = fakeApi({});
    store = createAppStore(api);
    expect(listenerCount('identity.updated')).toBe(1);

    store.dispose();
    store.dispose();
    expect(listenerCount('identity.updated')).toBe(0);
    emit('identity.updated', ALICE);
    expect(store.getState().identity.info).toBeNull();
  });
});
