/**
 * Runs the Store contract against a real MongoDB server (5.0 or later), named by
 * PARLEY_TEST_MONGODB_URI: a replica set (e.g. "mongodb://localhost:27017/?replicaSet=rs0")
 * tests the transactional batches, a standalone server the insertMany fallback. Every store
 * the suite makes gets a fresh, randomly named database, dropped when its test ends.
 * Without the variable the suite is reported as skipped, with the reason.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../store.contract';
import type { StoreFactory } from '../store.contract';
import { createMongoStore } from './mongodb-store';

const uri = process.env.PARLEY_TEST_MONGODB_URI;

const freshDatabase: StoreFactory = async () => {
  if (!uri) throw new Error('PARLEY_TEST_MONGODB_URI is not set');
  const dbName = `parley_test_${randomBytes(8).toString('hex')}`;
  return {
    store: createMongoStore({ uri, dbName }),
    cleanup: async () => {
      const client = new MongoClient(uri);
      try {
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
};

describe.skipIf(!uri)('MongoDB store against PARLEY_TEST_MONGODB_URI', () => {
  describeStoreContract('mongodb', freshDatabase);

  it('reports its kind', async () => {
    const { store, cleanup } = await freshDatabase();
    expect(store.kind).toBe('mongodb');
    await cleanup();
  });
});

describe.skipIf(Boolean(uri))('MongoDB store', () => {
  it.skip('PARLEY_TEST_MONGODB_URI is not set: no MongoDB server to test against', () => {});
});
