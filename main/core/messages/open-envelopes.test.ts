import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from '../crypto';
import { decodeEnvelope, messageIdOf, sealMessage, type SealedMessage } from './envelope-codec';
import { openEnvelopes } from './open-envelopes';
import {
  keysOf,
  randomMessageId,
  standInCheckSender,
  testDevice,
  testEpoch,
  testRoom,
  type TestDevice,
} from './test-room.testing';
import { openEnvelope, type OpenContext, type OpenResult } from './verify-envelope';
import { createVerifyPool, inlineVerifier, type SignatureVerifier } from './verify-pool';

const NOW = 1_700_000_000_000;
const alice = testDevice();
const bob = testDevice();
const mallory = testDevice();
const epoch = testEpoch([alice, bob]);
const state = testRoom({ members: [alice, bob], epochs: [epoch] });
const context: OpenContext = {
  state,
  keys: keysOf([epoch]),
  now: NOW,
  checkSender: standInCheckSender,
};

/** One envelope; `prev` names a random ID unless given, so it links to nothing in a batch. */
function sealOne(sender: TestDevice, seq: number, prev?: string, ts = NOW - 1000): SealedMessage {
  return sealMessage({
    roomId: state.roomId,
    epochId: epoch.id,
    epochKey: epoch.key,
    sender: { deviceId: sender.deviceId, privateKey: sender.privateKey },
    seq,
    prev: seq === 1 ? undefined : (prev ?? randomMessageId()),
    lamport: seq + 1,
    ts,
    body: { text: `message ${seq}` },
  });
}

const seal = (sender: TestDevice, seq: number): Uint8Array => sealOne(sender, seq).bytes;

/** A sender's messages 1..n, each naming the one before as its `prev`, as a node sends them. */
function chain(sender: TestDevice, n: number): Uint8Array[] {
  const out: SealedMessage[] = [];
  for (let seq = 1; seq <= n; seq++) out.push(sealOne(sender, seq, out.at(-1)?.id));
  return out.map((m) => m.bytes);
}

/** A copy with one byte of the signature (the envelope's last bytes) flipped. */
function withBadSignature(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 5]! ^= 0x01;
  return copy;
}

/** Alice's message 1 with a broken signature: its bytes, and the ID a later message would name. */
function brokenFirstOfAlice(): { bytes: Uint8Array; id: string } {
  const bytes = withBadSignature(sealOne(alice, 1).bytes);
  return { bytes, id: messageIdOf(bytes) };
}

/** The inline verifier, counting the signatures it is asked to check. */
function countingVerifier(): SignatureVerifier & { checked: number } {
  const counting = {
    checked: 0,
    verifyAll: (jobs: Parameters<SignatureVerifier['verifyAll']>[0]) => {
      counting.checked += jobs.length;
      return inlineVerifier.verifyAll(jobs);
    },
    close: () => Promise.resolve(),
  };
  return counting;
}

/** Bob's envelope with one byte of the signature changed: authentic in form, forged in fact. */
function forged(seq: number): Uint8Array {
  return withBadSignature(seal(bob, seq));
}

/** A mixed batch: good ones, a forgery, junk, an outsider, and a message sealed to the future. */
function batch(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 1; i <= 150; i++) out.push(seal(i % 2 === 0 ? alice : bob, i));
  out.splice(10, 0, forged(500));
  out.splice(40, 0, randomBytes(80));
  out.splice(90, 0, seal(mallory, 1));
  out.push(sealOne(alice, 999, undefined, NOW + 24 * 60 * 60 * 1000).bytes);
  return out;
}

/** What a node did before batches: decode and open one by one. */
const oneByOne = (bytes: Uint8Array[]): OpenResult[] =>
  bytes.map((b) => {
    const d = decodeEnvelope(b);
    return d.ok ? openEnvelope(d.envelope, context) : d;
  });

const summary = (results: OpenResult[]): string[] =>
  results.map((r) => (r.ok ? `ok ${r.message.sender.slice(0, 5)} ${r.message.text}` : r.reason));

describe('openEnvelopes', () => {
  const pool = createVerifyPool({ size: 2, minParallelJobs: 8 });
  afterAll(() => pool.close());

  it('decides a mixed batch exactly as decoding and opening one by one does, on worker threads', async () => {
    const bytes = batch();
    const expected = summary(oneByOne(bytes));
    expect(expected.filter((s) => s.startsWith('ok'))).toHaveLength(150);
    expect(expected).toContain('bad-signature');
    expect(expected).toContain('malformed');
    expect(expected).toContain('not-a-holder');
    expect(expected).toContain('future');
    expect(summary(await openEnvelopes(bytes, context, pool))).toEqual(expected);
  });

  it('decides the same on this thread alone', async () => {
    const bytes = batch();
    expect(summary(await openEnvelopes(bytes, context, inlineVerifier))).toEqual(
      summary(oneByOne(bytes)),
    );
  });

  it('never decrypts an envelope whose signature was forged', async () => {
    const results = await openEnvelopes(
      Array.from({ length: 40 }, (_, i) => forged(i + 1)),
      context,
      pool,
    );
    expect(results.every((r) => !r.ok && r.reason === 'bad-signature')).toBe(true);
  });

  it('gives nothing for nothing', async () => {
    expect(await openEnvelopes([], context, pool)).toEqual([]);
  });
});

describe('openEnvelopes along the hash chain', () => {
  const texts = (results: OpenResult[]) => summary(results);

  it('checks one signature for a sender’s run of linked messages, and opens them all', async () => {
    const bytes = chain(alice, 100);
    const verifier = countingVerifier();
    const results = await openEnvelopes(bytes, context, verifier);
    expect(verifier.checked).toBe(1);
    expect(texts(results)).toEqual(summary(oneByOne(bytes)));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('one signature per sender, whatever the order of the batch', async () => {
    const bytes = [...chain(alice, 30), ...chain(bob, 30)].sort(() => Math.random() - 0.5);
    const verifier = countingVerifier();
    const results = await openEnvelopes(bytes, context, verifier);
    expect(verifier.checked).toBe(2);
    expect(texts(results)).toEqual(summary(oneByOne(bytes)));
  });

  it('when a run’s last signature is forged, checks the others one by one and keeps them', async () => {
    const bytes = chain(alice, 10);
    bytes[9] = withBadSignature(bytes[9]!);
    const verifier = countingVerifier();
    const results = await openEnvelopes(bytes, context, verifier);
    expect(verifier.checked).toBe(10);
    expect(texts(results.slice(0, 9))).toEqual(summary(oneByOne(bytes.slice(0, 9))));
    expect(results[9]).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('a changed envelope in the middle breaks its link: it is refused, both halves are kept', async () => {
    const bytes = chain(alice, 10);
    // A flipped signature byte changes the envelope's ID, so message 6 no longer names it.
    bytes[4] = withBadSignature(bytes[4]!);
    const verifier = countingVerifier();
    const results = await openEnvelopes(bytes, context, verifier);
    // Heads 5 (changed: fails) and 10 (vouches for 6-9); then 1-4, which only 5 named, alone.
    expect(verifier.checked).toBe(6);
    expect(results.map((r) => r.ok)).toEqual([
      ...Array(4).fill(true),
      false,
      ...Array(5).fill(true),
    ]);
    expect(results[4]).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('a link counts only between messages of one sender: bob cannot vouch for a forgery of alice', async () => {
    const forged = brokenFirstOfAlice();
    // Bob's own message 2, validly signed, naming alice's forged envelope.
    const bobs = sealOne(bob, 2, forged.id);
    const results = await openEnvelopes([forged.bytes, bobs.bytes], context, inlineVerifier);
    expect(results[0]).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(results[1]?.ok).toBe(true);
  });

  it('an envelope refused for another reason vouches for nothing', async () => {
    const forged = brokenFirstOfAlice();
    // Validly signed, linked to the forgery, but from tomorrow: refused before any signature.
    const fromTomorrow = sealOne(alice, 2, forged.id, NOW + 24 * 60 * 60 * 1000);
    const results = await openEnvelopes(
      [forged.bytes, fromTomorrow.bytes],
      context,
      inlineVerifier,
    );
    expect(results[0]).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(results[1]).toMatchObject({ ok: false, reason: 'future' });
  });

  it('a valid later message vouches for the exact bytes it names: only their sender can link them', async () => {
    // The rule of PROTOCOL.md §9: alice signed message 2 over the hash of this very message 1,
    // so its own broken signature no longer matters (nobody but alice could have made the pair).
    const broken = brokenFirstOfAlice();
    const second = sealOne(alice, 2, broken.id);
    const verifier = countingVerifier();
    const results = await openEnvelopes([broken.bytes, second.bytes], context, verifier);
    expect(verifier.checked).toBe(1);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  });
});
