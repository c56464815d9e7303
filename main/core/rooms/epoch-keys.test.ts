import { describe, expect, it } from 'vitest';
import { randomId } from '../crypto';
import { testDevice } from './control-log.testing';
import {
  EPOCH_KEY_BYTES,
  grantEpoch,
  newEpoch,
  openSealedKey,
  roomKeyContext,
  sealKeyFor,
} from './epoch-keys';

const alice = testDevice('Alice');
const bob = testDevice('Bob');
const roomId = randomId();

describe('epoch keys', () => {
  it('makes a fresh 256-bit key and 128-bit ID each time', () => {
    const a = newEpoch();
    const b = newEpoch();
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.key).toHaveLength(EPOCH_KEY_BYTES);
    expect(a.id).not.toBe(b.id);
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false);
  });

  it('binds the seal context to room, epoch and recipient (§8.3)', () => {
    expect(roomKeyContext('r', 'e', 'D')).toBe('parley/v1/seal/room-key/r/e/D');
  });

  it('opens a key sealed to A for A, for that room and epoch only', () => {
    const epoch = newEpoch();
    const sealed = sealKeyFor(roomId, epoch.id, epoch.key, alice);
    expect(sealed).toHaveLength(125); // SEALED_KEY_BYTES in the wire schema
    expect(openSealedKey(roomId, epoch.id, sealed, alice)).toEqual(epoch.key);

    expect(openSealedKey(roomId, epoch.id, sealed, bob)).toBeNull();
    expect(openSealedKey(randomId(), epoch.id, sealed, alice)).toBeNull();
    expect(openSealedKey(roomId, randomId(), sealed, alice)).toBeNull();
    // A's private key, but the box claimed for B's ID (copied into B's slot of an op).
    expect(
      openSealedKey(roomId, epoch.id, sealed, { ...alice, deviceId: bob.deviceId }),
    ).toBeNull();
  });

  it('returns null for junk, a changed byte, a key of the wrong size or a bad context', () => {
    const epoch = newEpoch();
    const sealed = sealKeyFor(roomId, epoch.id, epoch.key, alice);
    const changed = new Uint8Array(sealed);
    changed[100]! ^= 1;
    expect(openSealedKey(roomId, epoch.id, changed, alice)).toBeNull();
    expect(openSealedKey(roomId, epoch.id, new Uint8Array(125), alice)).toBeNull();
    expect(openSealedKey(roomId, epoch.id, sealed.subarray(0, 60), alice)).toBeNull();
    const short = sealKeyFor(roomId, epoch.id, new Uint8Array(16), alice);
    expect(openSealedKey(roomId, epoch.id, short, alice)).toBeNull();
    expect(openSealedKey('é', epoch.id, sealed, alice)).toBeNull();
  });

  it('grants an epoch to each recipient once, ordered by device ID', () => {
    const epoch = newEpoch();
    const grant = grantEpoch(roomId, epoch, [bob, alice]);
    expect(grant.id).toBe(epoch.id);
    expect(grant.keys.map((k) => k.to)).toEqual([alice.deviceId, bob.deviceId].sort());
    for (const device of [alice, bob]) {
      const box = grant.keys.find((k) => k.to === device.deviceId)!.sealed;
      expect(openSealedKey(roomId, epoch.id, box, device)).toEqual(epoch.key);
    }
  });

  it('a key sealed to A but handed to B in one grant is rejected, though the boxes share an ephemeral key', () => {
    const epoch = newEpoch();
    const grant = grantEpoch(roomId, epoch, [alice, bob]);
    const boxOf = (d: { deviceId: string }) => grant.keys.find((k) => k.to === d.deviceId)!.sealed;
    expect(openSealedKey(roomId, epoch.id, boxOf(alice), bob)).toBeNull();
    expect(openSealedKey(roomId, epoch.id, boxOf(bob), alice)).toBeNull();
    expect(openSealedKey(roomId, epoch.id, boxOf(alice), alice)).toEqual(epoch.key);
  });
});
