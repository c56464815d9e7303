import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from '../crypto';
import { decodeEnvelope, sealMessage } from './envelope-codec';
import { openEnvelopes } from './open-envelopes';
import {
  keysOf,
  standInCheckSender,
  testDevice,
  testEpoch,
  testRoom,
  type TestDevice,
} from './test-room.testing';
import { openEnvelope, type OpenContext, type OpenResult } from './verify-envelope';
import { createVerifyPool, inlineVerifier } from './verify-pool';

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

function seal(sender: TestDevice, seq: number, text = `message ${seq}`): Uint8Array {
  return sealMessage({
    roomId: state.roomId,
    epochId: epoch.id,
    epochKey: epoch.key,
    sender: { deviceId: sender.deviceId, privateKey: sender.privateKey },
    seq,
    lamport: seq + 1,
    ts: NOW - 1000,
    body: { text },
  }).bytes;
}

/** Bob's envelope with one byte of the signature changed: authentic in form, forged in fact. */
function forged(seq: number): Uint8Array {
  const bytes = Uint8Array.from(seal(bob, seq));
  bytes[bytes.length - 5]! ^= 0x01;
  return bytes;
}

/** A mixed batch: good ones, a forgery, junk, an outsider, and a message sealed to the future. */
function batch(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 1; i <= 150; i++) out.push(seal(i % 2 === 0 ? alice : bob, i));
  out.splice(10, 0, forged(500));
  out.splice(40, 0, randomBytes(80));
  out.splice(90, 0, seal(mallory, 1));
  out.push(
    sealMessage({
      roomId: state.roomId,
      epochId: epoch.id,
      epochKey: epoch.key,
      sender: { deviceId: alice.deviceId, privateKey: alice.privateKey },
      seq: 999,
      lamport: 2,
      ts: NOW + 24 * 60 * 60 * 1000,
      body: { text: 'from tomorrow' },
    }).bytes,
  );
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
