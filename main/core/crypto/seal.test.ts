import { describe, it, expect } from 'vitest';
import { concatBytes, toHex } from './bytes';
import { exportPublicKeyRaw, generateEcKeyPair } from './keys';
import { SEAL_CONTEXTS } from './labels';
import { randomBytes } from './random';
import { openSealed, SEAL_OVERHEAD_BYTES, sealToRecipient, sealToRecipients } from './seal';

describe('seal to recipient', () => {
  const alice = generateEcKeyPair();
  const bob = generateEcKeyPair();
  const roomKey = randomBytes(32);
  const ctx = SEAL_CONTEXTS.roomKey;

  it('opens for the recipient, under the same context', () => {
    const box = sealToRecipient(alice.publicKey, ctx, roomKey);
    expect(box).toHaveLength(roomKey.length + SEAL_OVERHEAD_BYTES);
    expect(toHex(openSealed(alice.privateKey, ctx, box) ?? new Uint8Array())).toBe(toHex(roomKey));
  });

  it('uses a fresh ephemeral key for every box', () => {
    const a = sealToRecipient(alice.publicKey, ctx, roomKey);
    const b = sealToRecipient(alice.publicKey, ctx, roomKey);
    expect(toHex(a.subarray(0, 65))).not.toBe(toHex(b.subarray(0, 65)));
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it('is deterministic for a given ephemeral key (what makes a known-answer test possible)', () => {
    const ephemeral = generateEcKeyPair();
    const a = sealToRecipient(alice.publicKey, ctx, roomKey, ephemeral.privateKey);
    const b = sealToRecipient(alice.publicKey, ctx, roomKey, ephemeral.privateKey);
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(a.subarray(0, 65))).toBe(toHex(exportPublicKeyRaw(ephemeral.publicKey)));
  });

  it('cannot be opened by another recipient', () => {
    const box = sealToRecipient(alice.publicKey, ctx, roomKey);
    expect(openSealed(bob.privateKey, ctx, box)).toBeNull();
  });

  it('cannot be opened by the recipient under another context', () => {
    const box = sealToRecipient(alice.publicKey, SEAL_CONTEXTS.roomKey, roomKey);
    expect(openSealed(alice.privateKey, SEAL_CONTEXTS.selfTest, box)).toBeNull();
  });

  it('refuses a box with any byte changed', () => {
    const box = sealToRecipient(alice.publicKey, ctx, roomKey);
    for (let i = 0; i < box.length; i++) {
      const tampered = Uint8Array.from(box);
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(openSealed(alice.privateKey, ctx, tampered)).toBeNull();
    }
  });

  it('refuses a box whose ephemeral key was swapped for another valid one', () => {
    const box = sealToRecipient(alice.publicKey, ctx, roomKey);
    const swapped = concatBytes(exportPublicKeyRaw(bob.publicKey), box.subarray(65));
    expect(openSealed(alice.privateKey, ctx, swapped)).toBeNull();
  });

  it('gives null, without throwing, for truncated, empty and random boxes', () => {
    const box = sealToRecipient(alice.publicKey, ctx, roomKey);
    expect(openSealed(alice.privateKey, ctx, new Uint8Array(0))).toBeNull();
    expect(openSealed(alice.privateKey, ctx, box.subarray(0, 65))).toBeNull();
    expect(openSealed(alice.privateKey, ctx, box.subarray(0, SEAL_OVERHEAD_BYTES - 1))).toBeNull();
    expect(openSealed(alice.privateKey, ctx, box.subarray(0, box.length - 1))).toBeNull();
    for (const n of [1, 64, 65, SEAL_OVERHEAD_BYTES, box.length, 500]) {
      expect(openSealed(alice.privateKey, ctx, randomBytes(n))).toBeNull();
    }
    // A valid point followed by junk gets as far as the AEAD.
    const junk = concatBytes(exportPublicKeyRaw(bob.publicKey), randomBytes(60));
    expect(openSealed(alice.privateKey, ctx, junk)).toBeNull();
  });

  it('round-trips an empty plaintext', () => {
    const box = sealToRecipient(alice.publicKey, ctx, new Uint8Array(0));
    expect(openSealed(alice.privateKey, ctx, box)).toHaveLength(0);
  });

  it('throws for a bad context or a wrong key kind: those are programming errors', () => {
    expect(() => sealToRecipient(alice.publicKey, '', roomKey)).toThrow(RangeError);
    expect(() => openSealed(alice.privateKey, 'é', new Uint8Array(0))).toThrow(RangeError);
    expect(() => sealToRecipient(alice.privateKey, ctx, roomKey)).toThrow(TypeError);
    expect(() => openSealed(alice.publicKey, ctx, new Uint8Array(0))).toThrow(TypeError);
  });

  describe('to several recipients with one ephemeral key', () => {
    const carol = generateEcKeyPair();
    const targets = [
      { publicKey: alice.publicKey, context: `${ctx}/alice` },
      { publicKey: bob.publicKey, context: `${ctx}/bob` },
      { publicKey: carol.publicKey, context: `${ctx}/carol` },
    ];

    it('opens for each recipient under its own context, and for nobody else', () => {
      const boxes = sealToRecipients(targets, roomKey);
      const owners = [alice, bob, carol];
      boxes.forEach((box, i) => {
        owners.forEach((owner, j) => {
          for (const t of targets) {
            const opened = openSealed(owner.privateKey, t.context, box);
            if (i === j && t === targets[i]) expect(toHex(opened!)).toBe(toHex(roomKey));
            else expect(opened).toBeNull();
          }
        });
      });
    });

    it('makes exactly the boxes sealToRecipient would with that ephemeral key', () => {
      const ephemeral = generateEcKeyPair();
      const boxes = sealToRecipients(targets, roomKey, { ephemeral: ephemeral.privateKey });
      targets.forEach((t, i) => {
        const single = sealToRecipient(t.publicKey, t.context, roomKey, ephemeral.privateKey);
        expect(toHex(boxes[i]!)).toBe(toHex(single));
      });
    });

    it('shares the ephemeral point but no key: every box differs after it', () => {
      const boxes = sealToRecipients(targets, roomKey);
      const points = new Set(boxes.map((b) => toHex(b.subarray(0, 65))));
      const rest = new Set(boxes.map((b) => toHex(b.subarray(65))));
      expect(points.size).toBe(1);
      expect(rest.size).toBe(targets.length);
    });

    it('gives each box a buffer of its own, so a kept box pins nothing else', () => {
      const boxes = sealToRecipients(targets, roomKey);
      for (const box of boxes) {
        expect(box.byteOffset).toBe(0);
        expect(box.buffer.byteLength).toBe(roomKey.length + SEAL_OVERHEAD_BYTES);
      }
      expect(new Set(boxes.map((b) => b.buffer)).size).toBe(boxes.length);
    });

    it('refuses to seal twice to one recipient under one context (that would reuse a nonce)', () => {
      expect(() => sealToRecipients([targets[0]!, targets[0]!], roomKey)).toThrow(RangeError);
    });
  });
});
