import { generateKeyPairSync } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { concatBytes } from './bytes';
import { generateEcKeyPair } from './keys';
import { SIGN_LABELS } from './labels';
import { randomBytes } from './random';
import { labelledMessage, sign, SIGNATURE_BYTES, verify, verifyRaw } from './signature';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const sOf = (sig: Uint8Array): bigint =>
  BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));

describe('signatures', () => {
  const { privateKey, publicKey } = generateEcKeyPair();
  const data = new TextEncoder().encode('announce: device 1, port 4000');

  it('round-trip as 64 bytes', () => {
    const sig = sign(privateKey, SIGN_LABELS.discovery, data);
    expect(sig).toHaveLength(SIGNATURE_BYTES);
    expect(verify(publicKey, SIGN_LABELS.discovery, data, sig)).toBe(true);
  });

  it('do not verify under another label, with another key or for other data', () => {
    const sig = sign(privateKey, SIGN_LABELS.discovery, data);
    expect(verify(publicKey, SIGN_LABELS.controlOp, data, sig)).toBe(false);
    expect(verify(publicKey, SIGN_LABELS.envelope, data, sig)).toBe(false);
    expect(verify(generateEcKeyPair().publicKey, SIGN_LABELS.discovery, data, sig)).toBe(false);
    expect(verify(publicKey, SIGN_LABELS.discovery, concatBytes(data, Uint8Array.of(0)), sig)).toBe(
      false,
    );
  });

  it('bind the label length, so label and data cannot be re-split', () => {
    // Without the length byte, ('ab', 'c') and ('a', 'bc') would sign the same bytes.
    const sig = sign(privateKey, 'parley/v1/sign/ab', new TextEncoder().encode('c'));
    expect(verify(publicKey, 'parley/v1/sign/a', new TextEncoder().encode('bc'), sig)).toBe(false);
  });

  it('are refused, without throwing, when malformed', () => {
    const sig = sign(privateKey, SIGN_LABELS.envelope, data);
    const bad = [
      new Uint8Array(0),
      sig.subarray(0, 63),
      concatBytes(sig, Uint8Array.of(0)),
      new Uint8Array(64),
      new Uint8Array(64).fill(0xff),
      randomBytes(64),
    ];
    for (const signature of bad) {
      expect(verify(publicKey, SIGN_LABELS.envelope, data, signature)).toBe(false);
    }
    for (let i = 0; i < SIGNATURE_BYTES; i += 7) {
      const flipped = Uint8Array.from(sig);
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      expect(verify(publicKey, SIGN_LABELS.envelope, data, flipped)).toBe(false);
    }
  });

  it('are low-S, and the high-S twin of a valid signature is refused', () => {
    for (let i = 0; i < 20; i++) {
      const sig = sign(privateKey, SIGN_LABELS.envelope, data);
      const s = sOf(sig);
      expect(s <= P256_ORDER / 2n).toBe(true);
      const twin = concatBytes(
        sig.subarray(0, 32),
        Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex'),
      );
      // Plain ECDSA accepts the twin; Parley's verify does not, so a relay cannot re-sign.
      const labelled = concatBytes(
        Uint8Array.of(SIGN_LABELS.envelope.length),
        Buffer.from(SIGN_LABELS.envelope),
        data,
      );
      expect(verifyRaw(publicKey, labelled, twin)).toBe(true);
      expect(verify(publicKey, SIGN_LABELS.envelope, data, twin)).toBe(false);
    }
  });

  it('count s = n/2 as low and every s above it as high, byte by byte', () => {
    const withS = (s: bigint): Uint8Array =>
      concatBytes(new Uint8Array(32).fill(1), Buffer.from(s.toString(16).padStart(64, '0'), 'hex'));
    const half = P256_ORDER / 2n;
    for (const s of [
      1n,
      half - 1n,
      half,
      half + 1n,
      half + 256n,
      P256_ORDER - 1n,
      half - (1n << 200n),
    ]) {
      // labelledMessage refuses exactly the high-S forms before any curve arithmetic.
      expect(labelledMessage(SIGN_LABELS.envelope, data, withS(s)) === null).toBe(s > half);
    }
  });

  it('give false for a key that is not a P-256 public key', () => {
    const sig = sign(privateKey, SIGN_LABELS.envelope, data);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(verify(p384.publicKey, SIGN_LABELS.envelope, data, sig)).toBe(false);
    expect(verify(privateKey, SIGN_LABELS.envelope, data, sig)).toBe(false);
  });

  it('throw for a bad label or a wrong signing key: those are programming errors', () => {
    expect(() => sign(privateKey, '', data)).toThrow(RangeError);
    expect(() => verify(publicKey, 'x'.repeat(256), data, new Uint8Array(64))).toThrow(RangeError);
    expect(() => sign(publicKey, SIGN_LABELS.envelope, data)).toThrow(TypeError);
  });
});
