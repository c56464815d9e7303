import { describe, expect, it } from 'vitest';
import type { OpBody } from '../../../shared/room-wire';
import { randomBytes, randomId, sign, SIGN_LABELS } from '../crypto';
import { deviceIdForPublicKey } from '../identity/device-id';
import { decodeCbor, encodeCbor } from '../net/cbor';
import { testDevice, testLog, type TestDevice } from './control-log.testing';
import {
  leaveAction,
  removeAction,
  renameAction,
  rotateAction,
  setRoleAction,
  unbanAction,
  updateAction,
} from './op-builder';
import { decodeSignedOp, encodeSignedOp, MAX_SIGNED_OP_BYTES } from './op-codec';

const alice = testDevice('Alice');
const mallory = testDevice('Mallory');
const roomId = randomId();
const PARENT = 'a'.repeat(64);

function bodyBy(author: TestDevice, over: Partial<OpBody> = {}): OpBody {
  return {
    v: 1,
    room: roomId,
    author: author.deviceId,
    authorKey: new Uint8Array(author.publicKeySpki),
    lamport: 2,
    prev: [PARENT],
    ts: 1_700_000_000_000,
    action: { type: 'leave', lastSeq: 3 },
    ...over,
  };
}

/** A SignedOp around any body bytes, signed by `signer`: for building what encodeSignedOp won't. */
function signedBytes(body: Uint8Array, signer: TestDevice, outer: object = {}): Uint8Array {
  return encodeCbor({ body, sig: sign(signer.privateKey, SIGN_LABELS.controlOp, body), ...outer });
}

/** A body encoded as given, without the schema's say (keys in the caller's order, extras kept). */
function rawBody(fields: Record<string, unknown>): Uint8Array {
  return encodeCbor(fields);
}

function reasonOf(bytes: Uint8Array): string {
  const r = decodeSignedOp(bytes);
  if (r.ok) throw new Error('expected the op to be refused');
  return r.reason;
}

describe('control op codec', () => {
  it('round-trips: the decoded op is the encoded one, with the same bytes and hash', () => {
    const op = encodeSignedOp(bodyBy(alice), alice.privateKey);
    const again = decodeSignedOp(op.bytes);
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(again.op.hash).toBe(op.hash);
    expect(again.op.hash).toMatch(/^[0-9a-f]{64}$/);
    // (Compared as hex: cbor-x caches a DataView on the buffers it decodes.)
    expect(Buffer.from(again.op.bytes).toString('hex')).toBe(Buffer.from(op.bytes).toString('hex'));
    expect(again.op.body).toEqual(bodyBy(alice));
    expect(again.op.authorKey.equals(alice.publicKey)).toBe(true);
  });

  it('decodes every op it signs to the same op: each action type, and a 200-member grant', () => {
    // encodeSignedOp skips decodeSignedOp's round trip (its bytes are canonical by
    // construction); this is what that rests on.
    const members = Array.from({ length: 199 }, (_, i) => testDevice(`Member ${i}`));
    const log = testLog(alice, { capacity: 200 });
    for (const m of members) log.invite(alice, m);
    log.must(alice, rotateAction(log.state, 'manual'));
    log.must(alice, setRoleAction(members[0]!.deviceId, 'admin'));
    log.must(alice, updateAction({ topic: 'Plans' }));
    log.must(alice, removeAction(log.state, members[1]!.deviceId, false, 0));
    log.must(alice, removeAction(log.state, members[2]!.deviceId, true, 0));
    log.must(alice, unbanAction(members[2]!.deviceId));
    log.must(members[3]!, leaveAction(0));
    log.must(members[4]!, renameAction('Member four'));
    const types = new Set<string>();
    for (const op of log.ops) {
      types.add(op.body.action.type);
      const again = decodeSignedOp(op.bytes);
      expect(again.ok).toBe(true);
      if (!again.ok) continue;
      expect(again.op.hash).toBe(op.hash);
      expect(again.op.body).toEqual(op.body);
      expect(again.op.authorKey.equals(op.authorKey)).toBe(true);
    }
    expect(types).toEqual(
      new Set([
        'create',
        'add',
        'rotate',
        'set-role',
        'update',
        'remove',
        'unban',
        'leave',
        'rename',
      ]),
    );
  });

  it('encodes the fields in schema order whatever order the caller wrote them in', () => {
    const body = bodyBy(alice);
    const shuffled = Object.fromEntries(Object.entries(body).reverse()) as OpBody;
    const bodyBytesOf = (bytes: Uint8Array) =>
      (decodeCbor(bytes) as { value: { body: unknown } }).value.body;
    const a = encodeSignedOp(body, alice.privateKey);
    const b = encodeSignedOp(shuffled, alice.privateKey);
    expect(bodyBytesOf(b.bytes)).toEqual(bodyBytesOf(a.bytes));
  });

  it('refuses to sign an invalid body or one signed with another key', () => {
    expect(() => encodeSignedOp(bodyBy(alice, { lamport: 0 }), alice.privateKey)).toThrow(
      /Not a valid control op/,
    );
    expect(() => encodeSignedOp(bodyBy(alice), mallory.privateKey)).toThrow(/bad signature/);
    expect(() => encodeSignedOp(bodyBy(alice, { prev: [] }), alice.privateKey)).toThrow(
      /no parents/,
    );
  });

  it('refuses truncated bytes, random bytes, non-bytes and oversized input', () => {
    const { bytes } = encodeSignedOp(bodyBy(alice), alice.privateKey);
    for (let cut = 0; cut < bytes.length; cut += 7) {
      expect(decodeSignedOp(bytes.subarray(0, cut)).ok).toBe(false);
    }
    for (let i = 0; i < 200; i++) expect(decodeSignedOp(randomBytes(i)).ok).toBe(false);
    expect(decodeSignedOp('op' as unknown as Uint8Array).ok).toBe(false);
    expect(reasonOf(new Uint8Array(MAX_SIGNED_OP_BYTES + 1))).toBe('op too large');
  });

  it('refuses an altered signature, and a high-S twin of a valid one', () => {
    const body = encodeCbor(bodyBy(alice));
    const sig = sign(alice.privateKey, SIGN_LABELS.controlOp, body);
    const flipped = new Uint8Array(sig);
    flipped[10]! ^= 1;
    expect(reasonOf(encodeCbor({ body, sig: flipped }))).toBe('bad signature');

    // (r, n - s) verifies in plain ECDSA; accepting it would give the op a second hash.
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
    const highS = Buffer.concat([
      sig.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    expect(reasonOf(encodeCbor({ body, sig: new Uint8Array(highS) }))).toBe('bad signature');
  });

  it("refuses an op signed by X that claims Y's ID, with either key", () => {
    // Y's ID and Y's key, X's signature.
    expect(reasonOf(signedBytes(encodeCbor(bodyBy(alice)), mallory))).toBe('bad signature');
    // Y's ID with X's own key, X's signature: the ID is not the hash of the key.
    const claim = bodyBy(mallory, { author: alice.deviceId });
    expect(reasonOf(signedBytes(encodeCbor(claim), mallory))).toBe(
      'author is not the device ID of the author key',
    );
  });

  it('refuses an author key in any form but canonical P-256 SPKI', () => {
    const raw = Buffer.from(mallory.publicKeySpki.subarray(26));
    const compressed = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.of(2 + (raw[64]! & 1)),
      raw.subarray(1, 33),
    ]);
    const body = bodyBy(mallory, {
      authorKey: new Uint8Array(compressed),
      author: deviceIdForPublicKey(compressed),
    });
    expect(reasonOf(signedBytes(encodeCbor(body), mallory))).toBe(
      'author key is not a canonical P-256 key',
    );
  });

  it('refuses encodings other than the canonical one (each would be a second hash)', () => {
    const op = encodeSignedOp(bodyBy(alice), alice.privateKey);
    const decoded = decodeCbor(op.bytes);
    if (!decoded.ok) throw new Error('own op does not decode');
    const { body, sig } = decoded.value as { body: Uint8Array; sig: Uint8Array };

    // Outer map with its keys swapped.
    expect(reasonOf(encodeCbor({ sig, body }))).toMatch(/canonical/);
    // Outer map header in its one-byte form (0xa2) instead of cbor-x's 0xb9 0x00 0x02.
    expect(op.bytes.subarray(0, 3)).toEqual(Uint8Array.of(0xb9, 0x00, 0x02));
    expect(reasonOf(Uint8Array.of(0xa2, ...op.bytes.subarray(3)))).toMatch(/canonical/);
    // Body fields in another order, properly signed by the author.
    const reordered = Object.fromEntries(Object.entries(bodyBy(alice)).reverse());
    expect(reasonOf(signedBytes(rawBody(reordered), alice))).toMatch(/op body: .*canonical/);
    // An integer written as a float: 2.0 decodes to 2.
    const asFloat = Buffer.from(encodeCbor(bodyBy(alice, { lamport: 7 })));
    const at = asFloat.indexOf(Buffer.from([0x67, ...Buffer.from('lamport'), 0x07]));
    expect(at).toBeGreaterThan(0);
    const floatBody = Buffer.concat([
      asFloat.subarray(0, at + 8),
      Buffer.from('fb401c000000000000', 'hex'),
      asFloat.subarray(at + 9),
    ]);
    expect(decodeCbor(floatBody)).toMatchObject({ ok: true, value: { lamport: 7 } });
    expect(reasonOf(signedBytes(new Uint8Array(floatBody), alice))).toMatch(/canonical/);
  });

  it('refuses extra fields at either layer', () => {
    const good = encodeCbor(bodyBy(alice));
    expect(reasonOf(signedBytes(good, alice, { extra: 1 }))).toMatch(/schema/);
    const extra = rawBody({ ...bodyBy(alice), note: 'hi' });
    expect(reasonOf(signedBytes(extra, alice))).toMatch(/op body: .*schema/);
    const extraInAction = rawBody({
      ...bodyBy(alice),
      action: { type: 'leave', lastSeq: 1, x: 1 },
    });
    expect(reasonOf(signedBytes(extraInAction, alice))).toMatch(/schema/);
    // A rename is about its author: one that names a member is not a rename at all.
    const renameOther = rawBody({
      ...bodyBy(alice),
      action: { type: 'rename', name: 'Mallory', member: mallory.deviceId },
    });
    expect(reasonOf(signedBytes(renameOther, alice))).toMatch(/schema/);
  });

  it('refuses parents that are missing, unsorted, repeated, or given to a create', () => {
    const signed = (over: Partial<OpBody>) => signedBytes(encodeCbor(bodyBy(alice, over)), alice);
    expect(reasonOf(signed({ prev: [] }))).toBe('op has no parents');
    expect(reasonOf(signed({ prev: ['b'.repeat(64), PARENT] }))).toBe(
      'parents are not sorted and unique',
    );
    expect(reasonOf(signed({ prev: [PARENT, PARENT] }))).toBe('parents are not sorted and unique');
    expect(reasonOf(signed({ prev: ['not a hash'] }))).toMatch(/schema/);
    const create: OpBody['action'] = {
      type: 'create',
      nonce: new Uint8Array(16),
      kind: 'room',
      settings: {
        name: 'R',
        topic: '',
        visibility: 'private',
        password: null,
        capacity: 5,
        historyShared: false,
      },
      creatorName: 'Alice',
      epoch: { id: randomId(), keys: [{ to: alice.deviceId, sealed: new Uint8Array(125) }] },
    };
    expect(reasonOf(signed({ action: create }))).toBe('create must have no parents');
    expect(decodeSignedOp(signed({ action: create, prev: [] })).ok).toBe(true);
  });
});
