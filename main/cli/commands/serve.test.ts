import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli-io';
import { MONGODB_URI_ENV, serveOptionsFrom } from './serve';

const NO_FLAGS = { json: false, 'no-discovery': true, ui: false } as const;
const URI = 'mongodb://parley:s3cret-pass@127.0.0.1:27017/?replicaSet=rs0';

function storeOf(flags: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return serveOptionsFrom({ ...NO_FLAGS, ...flags }, '/data', env).store;
}

/** The UsageError that `run` throws. */
function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parley serve: where the data is kept', () => {
  it('is SQLite in the data folder without a connection string', () => {
    expect(storeOf({})).toEqual({ kind: 'sqlite' });
    expect(storeOf({}, { [MONGODB_URI_ENV]: '' })).toEqual({ kind: 'sqlite' });
  });

  it('is MongoDB with --mongodb-uri, or PARLEY_MONGODB_URI; the flag wins', () => {
    expect(storeOf({ 'mongodb-uri': URI })).toEqual({ kind: 'mongodb', uri: URI });
    expect(storeOf({}, { [MONGODB_URI_ENV]: URI })).toEqual({ kind: 'mongodb', uri: URI });
    expect(
      storeOf(
        { 'mongodb-uri': 'mongodb://db.lan', 'mongodb-database': 'team', 'mongodb-timeout': '900' },
        { [MONGODB_URI_ENV]: URI },
      ),
    ).toEqual({
      kind: 'mongodb',
      uri: 'mongodb://db.lan',
      database: 'team',
      startupTimeoutMs: 900,
    });
  });

  it('refuses what makes no sense, without repeating a connection string', () => {
    expect(usageError(() => storeOf({ 'mongodb-database': 'team' })).message).toMatch(
      /go with --mongodb-uri/,
    );
    expect(usageError(() => storeOf({ 'mongodb-timeout': '900' })).message).toMatch(
      /go with --mongodb-uri/,
    );
    for (const uri of ['http://parley:s3cret-pass@db.lan', 's3cret-pass', 'mongodb://']) {
      const err = usageError(() => storeOf({ 'mongodb-uri': uri }));
      expect(err.message).toMatch(/^--mongodb-uri takes a MongoDB connection string/);
      expect(err.message).not.toContain('s3cret-pass');
    }
    const fromEnv = usageError(() => storeOf({}, { [MONGODB_URI_ENV]: 's3cret-pass' }));
    expect(fromEnv.message).toMatch(/^PARLEY_MONGODB_URI takes/);
    expect(fromEnv.message).not.toContain('s3cret-pass');
    for (const database of ['', 'a.b', 'a b', 'a/b', 'a$b', 'x'.repeat(64)]) {
      expect(() => storeOf({ 'mongodb-uri': URI, 'mongodb-database': database })).toThrow(
        /--mongodb-database takes a name/,
      );
    }
    expect(() => storeOf({ 'mongodb-uri': URI, 'mongodb-timeout': '50' })).toThrow(
      /--mongodb-timeout takes a whole number from 100/,
    );
  });
});

describe('parley serve: automatic rotation', () => {
  const rotationOf = (flags: Record<string, string>) =>
    serveOptionsFrom({ ...NO_FLAGS, ...flags }, '/data').rotation;

  it('gives the node the limits named, in messages and days (0 = never), and none unnamed', () => {
    expect(rotationOf({})).toEqual({});
    expect(rotationOf({ 'rotate-after-messages': '500' })).toEqual({ maxMessages: 500 });
    expect(rotationOf({ 'rotate-after-messages': '0', 'rotate-after-days': '2' })).toEqual({
      maxMessages: 0,
      maxAgeMs: 2 * 24 * 60 * 60 * 1000,
    });
    expect(rotationOf({ 'rotate-after-days': '0' })).toEqual({ maxAgeMs: 0 });
  });

  it('refuses what is not a whole number in range, naming the flag', () => {
    for (const bad of ['-1', '1.5', 'ten', '', '10000001'])
      expect(usageError(() => rotationOf({ 'rotate-after-messages': bad })).message).toMatch(
        /^--rotate-after-messages takes a whole number from 0 to 10000000/,
      );
    for (const bad of ['-1', '0.5', 'week', '3651'])
      expect(usageError(() => rotationOf({ 'rotate-after-days': bad })).message).toMatch(
        /^--rotate-after-days takes a whole number from 0 to 3650/,
      );
  });
});
