/**
 * Raw baselines: what the primitives Parley is built on cost on this machine, measured in the
 * same run as Parley's own benchmarks so that goals can be stated as ratios to them.
 */
import { join } from 'node:path';
import { sign, verify } from '../main/core/crypto/signature';
import { ecdh } from '../main/core/crypto/ecdh';
import { aeadOpen, aeadSeal } from '../main/core/crypto/aead';
import { generateEcKeyPair } from '../main/core/crypto/keys';
import { sealToRecipient, openSealed } from '../main/core/crypto/seal';
import { randomBytes } from '../main/core/crypto/random';
import { createSqliteStore } from '../main/core/store/sqlite/sqlite-store';
import { tempDirs } from '../main/core/testing/temp-dir';
import { measure, type Measurement } from './measure';
import { wssRoundTrip } from './wss-round-trip';

/** Every baseline by a short key, for the goals that are ratios to them; in table order. */
export interface Baselines {
  sign: Measurement;
  verify: Measurement;
  ecdh: Measurement;
  aeadSeal: Measurement;
  aeadOpen: Measurement;
  sealTo: Measurement;
  openSealed: Measurement;
  insert: Measurement;
  wssRoundTrip: Measurement;
}

export async function baselines(): Promise<Baselines> {
  const alice = generateEcKeyPair();
  const bob = generateEcKeyPair();
  const body = randomBytes(256);
  const key = randomBytes(32);
  const aad = randomBytes(64);
  const sig = sign(alice.privateKey, 'parley/v1/sign/self-test', body);
  const box = aeadSeal(key, body, aad);
  const sealed = sealToRecipient(bob.publicKey, 'parley/v1/seal/self-test', key);
  const crypto = {
    sign: await measure('ECDSA P-256 sign (256 B)', 2000, () =>
      sign(alice.privateKey, 'parley/v1/sign/self-test', body),
    ),
    verify: await measure('ECDSA P-256 verify (256 B)', 2000, () =>
      verify(alice.publicKey, 'parley/v1/sign/self-test', body, sig),
    ),
    ecdh: await measure('ECDH P-256 derive', 2000, () => ecdh(alice.privateKey, bob.publicKey)),
    aeadSeal: await measure('AES-256-GCM seal (256 B)', 20000, () => aeadSeal(key, body, aad)),
    aeadOpen: await measure('AES-256-GCM open (256 B)', 20000, () => aeadOpen(key, box, aad)),
    sealTo: await measure('seal to recipient (32 B key)', 1000, () =>
      sealToRecipient(bob.publicKey, 'parley/v1/seal/self-test', key),
    ),
    openSealed: await measure('open sealed (32 B key)', 1000, () =>
      openSealed(bob.privateKey, 'parley/v1/seal/self-test', sealed),
    ),
  };

  const dirs = tempDirs();
  const store = createSqliteStore({ path: join(dirs.make('parley-bench-'), 'bench.db') });
  await store.open();
  let insert: Measurement;
  try {
    const envelope = randomBytes(400);
    insert = await measure(
      'SQLite insert 1 message (own transaction, synchronous=FULL)',
      2000,
      (i) =>
        store.addMessages([
          {
            id: i.toString(16).padStart(64, '0'),
            roomId: 'bench',
            sender: 'S',
            seq: i + 1,
            lamport: i + 1,
            ts: Date.now(),
            envelope,
            text: `message number ${i}`,
            receivedAt: Date.now(),
          },
        ]),
    );
  } finally {
    await store.close();
    dirs.cleanup();
  }
  return { ...crypto, insert, wssRoundTrip: await wssRoundTrip(2000) };
}
