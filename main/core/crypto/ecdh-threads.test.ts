import { afterEach, describe, expect, it } from 'vitest';
import { bytesEqual } from './bytes';
import { ecdh, ephemeralEcdhOf } from './ecdh';
import { createEcdhThreads, thisThreadOnly, type EcdhThreads } from './ecdh-threads';
import { exportPublicKeyRaw, generateEcKeyPair } from './keys';

const ephemeral = generateEcKeyPair();
const one = ephemeralEcdhOf(ephemeral.privateKey);
const members = Array.from({ length: 300 }, () => generateEcKeyPair().publicKey);
const points = members.map(exportPublicKeyRaw);
// Through KeyObjects and diffieHellman, as openSealed derives: the other path to the same bytes.
const expected = members.map((m) => ecdh(ephemeral.privateKey, m));

/** Index by index: `every` would skip the holes of a sparse array. */
function sameAsOneThread(secrets: Uint8Array[], n: number): boolean {
  if (secrets.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const s = secrets[i];
    if (!(s instanceof Uint8Array) || !bytesEqual(s, expected[i]!)) return false;
  }
  return true;
}

describe('ECDH derives shared with worker threads', () => {
  const opened: EcdhThreads[] = [];
  const threads = (options: Parameters<typeof createEcdhThreads>[0]): EcdhThreads => {
    const t = createEcdhThreads(options);
    opened.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
  });

  it('gives exactly the one-thread secrets, in order, for any number of keys', async () => {
    const pool = threads({ threads: 1, minParallel: 2 });
    await pool.warm();
    for (const n of [0, 1, 2, 3, 17, 300]) {
      expect(sameAsOneThread(pool.deriveAll(one, points.slice(0, n)), n)).toBe(true);
    }
    expect(sameAsOneThread(thisThreadOnly.deriveAll(one, points), 300)).toBe(true);
  });

  it('tells each secret once, by index, as it becomes known, with and without threads', async () => {
    const pool = threads({ threads: 1, minParallel: 2 });
    await pool.warm();
    const stuck = threads({ threads: 1, minParallel: 2, waitMs: 0 });
    await stuck.warm();
    for (const deriver of [pool, stuck, thisThreadOnly]) {
      const told = new Map<number, Uint8Array>();
      const returned = deriver.deriveAll(one, points, (i, secret) => {
        expect(told.has(i)).toBe(false);
        told.set(i, secret);
      });
      expect(sameAsOneThread(returned, 300)).toBe(true);
      expect(told.size).toBe(300);
      for (const [i, secret] of told) expect(bytesEqual(secret, expected[i]!)).toBe(true);
    }
  });

  it('has its worker take a share of a large batch', async () => {
    const pool = threads({ threads: 1, minParallel: 2 });
    await pool.warm();
    // A worker woken while the caller is at item 0 takes many of 300 items; tries are repeated
    // only so that a machine that descheduled the worker once does not fail the test.
    for (let attempt = 0; attempt < 5 && pool.derivesOnWorkers() === 0; attempt++) {
      expect(sameAsOneThread(pool.deriveAll(one, points), 300)).toBe(true);
    }
    expect(pool.derivesOnWorkers()).toBeGreaterThan(0);
  });

  it('derives on the calling thread alone before its threads are ready, and starts them', async () => {
    const pool = threads({ threads: 1, minParallel: 2 });
    expect(sameAsOneThread(pool.deriveAll(one, points.slice(0, 50)), 50)).toBe(true);
    expect(pool.derivesOnWorkers()).toBe(0);
    await pool.warm(); // the thread the first call started
    for (let attempt = 0; attempt < 5 && pool.derivesOnWorkers() === 0; attempt++) {
      pool.deriveAll(one, points);
    }
    expect(pool.derivesOnWorkers()).toBeGreaterThan(0);
  });

  it('derives itself what a worker has not finished when it stops waiting', async () => {
    // waitMs 0: the caller never waits, so any item a worker holds is derived again here.
    const pool = threads({ threads: 1, minParallel: 2, waitMs: 0 });
    await pool.warm();
    for (let i = 0; i < 5; i++) {
      expect(sameAsOneThread(pool.deriveAll(one, points), 300)).toBe(true);
    }
  });

  it('derives on the calling thread after close, and below the batch size', async () => {
    const pool = threads({ threads: 1, minParallel: 8 });
    await pool.warm();
    expect(sameAsOneThread(pool.deriveAll(one, points.slice(0, 7)), 7)).toBe(true);
    expect(pool.derivesOnWorkers()).toBe(0);
    await pool.close();
    await pool.close(); // twice is fine
    expect(sameAsOneThread(pool.deriveAll(one, points), 300)).toBe(true);
    expect(pool.derivesOnWorkers()).toBe(0);
  });

  it('throws for a point that is not one, as the one-thread path does', async () => {
    const pool = threads({ threads: 1, minParallel: 2 });
    await pool.warm();
    const offCurve = new Uint8Array(65);
    offCurve[0] = 0x04;
    for (const deriver of [pool, thisThreadOnly]) {
      expect(() => deriver.deriveAll(one, [...points.slice(0, 40), new Uint8Array(64)])).toThrow(
        TypeError,
      );
      expect(() => deriver.deriveAll(one, [...points.slice(0, 40), offCurve])).toThrow();
    }
    // The thread failed on the point too, and is still of use.
    for (let attempt = 0; attempt < 5 && pool.derivesOnWorkers() === 0; attempt++) {
      expect(sameAsOneThread(pool.deriveAll(one, points), 300)).toBe(true);
    }
    expect(pool.derivesOnWorkers()).toBeGreaterThan(0);
  });

  it('seals the same boxes with threads as without', async () => {
    const { sealToRecipients } = await import('./seal');
    const pool = threads({ threads: 1, minParallel: 2 });
    await pool.warm();
    const targets = members
      .slice(0, 40)
      .map((publicKey, i) => ({ publicKey, context: `ctx-${i}` }));
    const key = new Uint8Array(32).fill(7);
    const alone = sealToRecipients(targets, key, { ephemeral: ephemeral.privateKey });
    const shared = sealToRecipients(targets, key, {
      ephemeral: ephemeral.privateKey,
      deriver: pool,
    });
    expect(shared.map((b) => Buffer.from(b).toString('hex'))).toEqual(
      alone.map((b) => Buffer.from(b).toString('hex')),
    );
  });
});
