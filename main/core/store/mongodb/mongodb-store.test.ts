import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ParleyError } from '../../../../shared/errors';
import { createLogger } from '../../log/logger';
import { activeResources, grownResources } from '../../testing/wait';
import { loadMongoDriver } from './driver';
import { startFakeMongoServer } from './fake-mongo-server.testing';
import { CLIENT_OPTIONS, createMongoStore } from './mongodb-store';

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
    // These two convert records to documents, which takes the driver: still a coded error.
    const peer = {
      deviceId: 'D',
      name: 'n',
      publicKey: new Uint8Array(4),
      addresses: [],
      verified: false,
      manual: false,
      firstSeen: 0,
      lastSeen: null,
    };
    expect((await rejection(store.upsertPeer(peer))).code).toBe('STORE_FAILED');
    const key = { roomId: 'r', epochId: 'e', key: new Uint8Array(32), createdAt: 0 };
    expect((await rejection(store.putRoomKey(key))).code).toBe('STORE_FAILED');
    await store.close();
    await store.close();
  });

  it('fails to open an unreachable server with STORE_FAILED, never showing the password', async () => {
    const store = createMongoStore({
      uri: 'mongodb://parley:s3cret-pass@127.0.0.1:1/?directConnection=true',
      startupTimeoutMS: 200,
    });
    const err = await rejection(store.open());
    expect(err.code).toBe('STORE_FAILED');
    expect(err.message).not.toContain('s3cret-pass');
    expect((await rejection(store.getSetting('k'))).code).toBe('STORE_FAILED');
    await store.close();
  });

  it('says which server did not answer and how long it waited, and logs no password', async () => {
    const lines: string[] = [];
    const store = createMongoStore({
      uri: 'mongodb://parley:s3cret-pass@127.0.0.1:1/?directConnection=true',
      startupTimeoutMS: 300,
      logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    });
    const before = activeResources();
    const err = await rejection(store.open());
    expect(err.message).toMatch(/^No MongoDB server at 127\.0\.0\.1:1 answered within 0\.3 s/);
    expect(lines.join('\n')).toContain('store_open_failed');
    expect(lines.join('\n')).not.toContain('s3cret-pass');
    await store.close();
    // The failed open closed its client: no monitor timer or socket is left behind.
    expect(grownResources(before)).toEqual([]);
  });

  it('bounds start-up by a server that accepts but never answers (the driver alone waits 30 s)', async () => {
    const accepted: Socket[] = [];
    const silent: Server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const lines: string[] = [];
      const store = createMongoStore({
        uri: `mongodb://parley:s3cret-pass@127.0.0.1:${port}/`,
        startupTimeoutMS: 300,
        logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
      });
      const err = await rejection(store.open());
      expect(err.code).toBe('STORE_FAILED');
      expect(err.message).toMatch(
        new RegExp(
          `^No MongoDB server at 127\\.0\\.0\\.1:${port} answered within 0\\.3 s \\(no reply\\)`,
        ),
      );
      expect(err.message + lines.join('\n')).not.toContain('s3cret-pass');
      await store.close();
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails to open a malformed connection string with STORE_FAILED', async () => {
    const store = createMongoStore({ uri: 'not a mongodb uri' });
    const err = await rejection(store.open());
    expect(err.code).toBe('STORE_FAILED');
    expect(err.message).toMatch(/^The MongoDB connection string is not valid/);
  });

  it('names the problem of a bad connection string without its password', async () => {
    const store = createMongoStore({ uri: 'mongodb://parley:s3cret-pass@127.0.0.1:1/?tls=maybe' });
    const err = await rejection(store.open());
    expect(err.code).toBe('STORE_FAILED');
    expect(err.message).toMatch(/^The MongoDB connection string is not valid \(tls.*"true"/);
    expect(err.message).not.toContain('s3cret-pass');
  });
});

describe('the MongoDB client', () => {
  // Built, never connected: the options are read back from the driver's own client.
  it('waits for a server as long as the driver does, or as the connection string says', async () => {
    const { MongoClient } = await loadMongoDriver();
    const plain = new MongoClient('mongodb://127.0.0.1:1/', CLIENT_OPTIONS);
    expect(plain.options.serverSelectionTimeoutMS).toBe(30_000);
    expect(plain.options.writeConcern).toMatchObject({ w: 'majority', journal: true });
    const tuned = new MongoClient(
      'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=45000',
      CLIENT_OPTIONS,
    );
    expect(tuned.options.serverSelectionTimeoutMS).toBe(45_000);
    await Promise.all([plain.close(), tuned.close()]);
  });
});

describe('MongoDB store against a stand-in server on loopback', () => {
  it('rides out a server away for longer than the start-up bound, as in an election', async () => {
    const fake = await startFakeMongoServer();
    const store = createMongoStore({
      uri: `mongodb://127.0.0.1:${fake.port}/?directConnection=true`,
      startupTimeoutMS: 300,
    });
    try {
      await store.open();
      expect(fake.commands).toContain('ping');
      // Away for five times the start-up bound: a call made meanwhile waits, then succeeds.
      await fake.goAway();
      const reading = store.getSetting('k');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await fake.comeBack();
      await expect(reading).resolves.toBeUndefined();
    } finally {
      await store.close();
      await fake.close();
    }
  });
});
