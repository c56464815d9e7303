import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../../../shared/errors';
import { createMongoStore } from './mongodb-store';

/** What a call rejected with, as a ParleyError. */
async function rejection(promise: Promise<unknown>): Promise<ParleyError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return err as ParleyError;
}

// What can be checked without a MongoDB server; the contract runs in mongodb-store.int.test.ts.
describe('MongoDB store without a server', () => {
  it('reports its kind', () => {
    expect(createMongoStore({ uri: 'mongodb://127.0.0.1:1' }).kind).toBe('mongodb');
  });

  it('refuses calls before open with a coded error, and closes when never opened', async () => {
    const store = createMongoStore({ uri: 'mongodb://127.0.0.1:1' });
    expect((await rejection(store.getSetting('k'))).code).toBe('STORE_FAILED');
    expect((await rejection(store.listMessagesAfter('r', {}, 10))).code).toBe('STORE_FAILED');
    await store.close();
    await store.close();
  });

  it('fails to open an unreachable server with STORE_FAILED, never showing the password', async () => {
    const store = createMongoStore({
      uri: 'mongodb://parley:s3cret-pass@127.0.0.1:1/?directConnection=true',
      serverSelectionTimeoutMS: 200,
    });
    const err = await rejection(store.open());
    expect(err.code).toBe('STORE_FAILED');
    expect(err.message).not.toContain('s3cret-pass');
    expect((await rejection(store.getSetting('k'))).code).toBe('STORE_FAILED');
    await store.close();
  });

  it('fails to open a malformed connection string with STORE_FAILED', async () => {
    const store = createMongoStore({ uri: 'not a mongodb uri' });
    expect((await rejection(store.open())).code).toBe('STORE_FAILED');
  });
});
