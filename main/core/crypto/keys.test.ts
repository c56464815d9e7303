import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { ParleyError } from '../../../shared/errors';
import { concatBytes, fromHex, toHex } from './bytes';
import {
  exportPrivateKeyPkcs8,
  exportPublicKeyRaw,
  exportPublicKeySpki,
  generateEcKeyPair,
  isP256Key,
  importPrivateKeyPkcs8,
  importPrivateKeyRaw,
  importPublicKeyRaw,
  importPublicKeySpki,
  publicKeyOf,
} from './keys';
import { randomBytes } from './random';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const hex32 = (n: bigint): string => n.toString(16).padStart(64, '0');

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

/** A P-256 point with a small x, so that x + p still fits in 32 bytes. */
function smallPoint(): { x: bigint; y: bigint } {
  for (let x = 1n; ; x++) {
    const rhs = (((x * x * x - 3n * x + B) % P) + P) % P;
    const y = modPow(rhs, (P + 1n) / 4n, P); // p = 3 mod 4
    if ((y * y) % P === rhs) return { x, y };
  }
}

function expectBadRequest(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ParleyError);
  expect((caught as ParleyError).code).toBe('BAD_REQUEST');
}

describe('P-256 keys', () => {
  const { privateKey, publicKey } = generateEcKeyPair();

  it('are generated as matching pairs, also when the scalar starts with a zero byte', () => {
    // About one key in 256 has a scalar below 2^248, which ECDH returns without its leading
    // zero byte; the pair must still match (the scalar is padded back to 32 bytes).
    let shortScalars = 0;
    for (let i = 0; i < 4000 && shortScalars < 2; i++) {
      const pair = generateEcKeyPair();
      const d = Buffer.from(pair.privateKey.export({ format: 'jwk' }).d!, 'base64url');
      expect(d).toHaveLength(32);
      if (d[0] !== 0) continue;
      shortScalars++;
      expect(isP256Key(pair.privateKey, 'private')).toBe(true);
      expect(toHex(exportPublicKeyRaw(publicKeyOf(pair.privateKey)))).toBe(
        toHex(exportPublicKeyRaw(pair.publicKey)),
      );
    }
    expect(shortScalars).toBeGreaterThan(0);
  });

  it('round-trip as raw uncompressed points', () => {
    const raw = exportPublicKeyRaw(publicKey);
    expect(raw).toHaveLength(65);
    expect(raw[0]).toBe(0x04);
    expect(toHex(exportPublicKeyRaw(importPublicKeyRaw(raw)))).toBe(toHex(raw));
    expect(toHex(exportPublicKeyRaw(publicKeyOf(privateKey)))).toBe(toHex(raw));
  });

  it('round-trip as SPKI DER', () => {
    const der = exportPublicKeySpki(publicKey);
    expect(der).toHaveLength(91);
    const back = importPublicKeySpki(der);
    expect(toHex(exportPublicKeySpki(back))).toBe(toHex(der));
    expect(toHex(exportPublicKeyRaw(back))).toBe(toHex(exportPublicKeyRaw(publicKey)));
  });

  it('round-trip as PKCS#8 DER', () => {
    const der = exportPrivateKeyPkcs8(privateKey);
    const back = importPrivateKeyPkcs8(der);
    expect(toHex(exportPrivateKeyPkcs8(back))).toBe(toHex(der));
    expect(toHex(exportPublicKeyRaw(publicKeyOf(back)))).toBe(toHex(exportPublicKeyRaw(publicKey)));
  });

  it('import a raw private scalar with its public point computed', () => {
    // RFC 5903 section 8.1, initiator.
    const priv = importPrivateKeyRaw(
      fromHex('c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433'),
    );
    expect(toHex(exportPublicKeyRaw(publicKeyOf(priv)))).toBe(
      '04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180' +
        '5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3',
    );
    expectBadRequest(() => importPrivateKeyRaw(new Uint8Array(32)));
    expectBadRequest(() => importPrivateKeyRaw(fromHex(hex32(N))));
    expectBadRequest(() => importPrivateKeyRaw(new Uint8Array(31).fill(1)));
  });

  it('refuse raw junk: wrong length, compressed, off the curve, infinity, non-canonical', () => {
    const raw = exportPublicKeyRaw(publicKey);
    expectBadRequest(() => importPublicKeyRaw(new Uint8Array(0)));
    expectBadRequest(() => importPublicKeyRaw(raw.subarray(0, 64)));
    expectBadRequest(() => importPublicKeyRaw(concatBytes(raw, Uint8Array.of(0))));
    expectBadRequest(() => importPublicKeyRaw(concatBytes(Uint8Array.of(0x02), raw.subarray(1))));
    const offCurve = Uint8Array.from(raw);
    offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
    expectBadRequest(() => importPublicKeyRaw(offCurve));
    expectBadRequest(() =>
      importPublicKeyRaw(concatBytes(Uint8Array.of(0x04), new Uint8Array(64))),
    );
    expectBadRequest(() => importPublicKeyRaw(randomBytes(65)));

    // The same point with x written as x + p must not be a second encoding of one key.
    const { x, y } = smallPoint();
    expect(() => importPublicKeyRaw(fromHex('04' + hex32(x) + hex32(y)))).not.toThrow();
    expectBadRequest(() => importPublicKeyRaw(fromHex('04' + hex32(x + P) + hex32(y))));
  });

  it('refuse SPKI junk, other key types and non-canonical encodings', () => {
    const der = exportPublicKeySpki(publicKey);
    expectBadRequest(() => importPublicKeySpki(new Uint8Array(0)));
    expectBadRequest(() => importPublicKeySpki(randomBytes(91)));
    expectBadRequest(() => importPublicKeySpki(der.subarray(0, 90)));
    expectBadRequest(() => importPublicKeySpki(concatBytes(der, Uint8Array.of(0))));
    const spki = (key: KeyObject): Uint8Array => key.export({ type: 'spki', format: 'der' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expectBadRequest(() => importPublicKeySpki(spki(p384.publicKey)));
    expectBadRequest(() => importPublicKeySpki(spki(rsa.publicKey)));
    // A compressed point is the same key, but would hash to a second device ID.
    const raw = exportPublicKeyRaw(publicKey);
    const compressed = concatBytes(
      fromHex('3039301306072a8648ce3d020106082a8648ce3d030107032200'),
      Uint8Array.of(((raw[64] ?? 0) & 1) === 1 ? 0x03 : 0x02),
      raw.subarray(1, 33),
    );
    expectBadRequest(() => importPublicKeySpki(compressed));
    // A key decoded from that form elsewhere (say, a peer's certificate) still exports canonically.
    const fromCompressed = createPublicKey({
      key: Buffer.from(compressed),
      format: 'der',
      type: 'spki',
    });
    expect(toHex(exportPublicKeySpki(fromCompressed))).toBe(toHex(der));
  });

  it('refuse PKCS#8 junk, other key types and a public key that does not match', () => {
    const pkcs8 = (key: KeyObject): Uint8Array => key.export({ type: 'pkcs8', format: 'der' });
    expectBadRequest(() => importPrivateKeyPkcs8(new Uint8Array(0)));
    expectBadRequest(() => importPrivateKeyPkcs8(randomBytes(138)));
    expectBadRequest(() => importPrivateKeyPkcs8(exportPublicKeySpki(publicKey)));
    expectBadRequest(() =>
      importPrivateKeyPkcs8(pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)),
    );
    expectBadRequest(() =>
      importPrivateKeyPkcs8(pkcs8(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)),
    );
    const own = privateKey.export({ format: 'jwk' });
    const other = generateEcKeyPair().privateKey.export({ format: 'jwk' });
    const mismatched = createPrivateKey({ key: { ...own, x: other.x, y: other.y }, format: 'jwk' });
    expectBadRequest(() => importPrivateKeyPkcs8(pkcs8(mismatched)));
  });

  it('are told apart by curve and kind, whether generated here or imported', () => {
    // Keys generateEcKeyPair made skip the curve lookup, but never the kind.
    expect(isP256Key(privateKey, 'private')).toBe(true);
    expect(isP256Key(publicKey, 'public')).toBe(true);
    expect(isP256Key(privateKey, 'public')).toBe(false);
    expect(isP256Key(publicKey, 'private')).toBe(false);
    // Keys that came in some other way are asked for their curve.
    const imported = importPrivateKeyPkcs8(exportPrivateKeyPkcs8(privateKey));
    expect(isP256Key(imported, 'private')).toBe(true);
    expect(isP256Key(createPublicKey(imported), 'public')).toBe(true);
    expect(isP256Key(imported, 'public')).toBe(false);
    // A P-384 pair from its parts (not a key-generation job: see generateEcKeyPair).
    const ecdh384 = createECDH('secp384r1');
    ecdh384.generateKeys();
    const point = ecdh384.getPublicKey();
    const p384 = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-384',
        d: ecdh384.getPrivateKey().toString('base64url'),
        x: point.subarray(1, 49).toString('base64url'),
        y: point.subarray(49).toString('base64url'),
      },
      format: 'jwk',
    });
    expect(isP256Key(p384, 'private')).toBe(false);
    expect(isP256Key(createPublicKey(p384), 'public')).toBe(false);
    for (const junk of [null, undefined, 'key', {}, { type: 'public' }]) {
      expect(isP256Key(junk, 'public')).toBe(false);
    }
  });

  it('are generated with their raw point already known, and it is the right one', () => {
    const pair = generateEcKeyPair();
    // A public key derived again is not the generated one: its point comes from a JWK export.
    const derived = exportPublicKeyRaw(createPublicKey(pair.privateKey));
    const raw = exportPublicKeyRaw(pair.publicKey);
    expect(toHex(raw)).toBe(toHex(derived));
    // A copy each time: a caller writing into it changes nothing for the next.
    raw.fill(0);
    expect(exportPublicKeyRaw(pair.publicKey)[0]).toBe(0x04);
  });

  it('throw TypeError when asked to export a key of the wrong kind', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => exportPublicKeyRaw(p384.publicKey)).toThrow(TypeError);
    expect(() => exportPublicKeyRaw(privateKey)).toThrow(TypeError);
    expect(() => exportPublicKeySpki(privateKey)).toThrow(TypeError);
    expect(() => exportPrivateKeyPkcs8(publicKey)).toThrow(TypeError);
    expect(() => exportPrivateKeyPkcs8(p384.privateKey)).toThrow(TypeError);
  });
});

describe('key generation that cannot deadlock', () => {
  it('no module outside tests calls node:crypto key generation jobs (see generateEcKeyPair)', () => {
    const root = join(__dirname, '..', '..', '..');
    const callers: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules') walk(path);
        } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
          // Calls only: comments that name them (to say why not) are fine.
          if (
            /\b(generateKeyPair|generateKeyPairSync|subtle\.generateKey)\s*\((?!Sync\))/.test(
              readFileSync(path, 'utf8'),
            )
          )
            callers.push(path.slice(root.length + 1));
        }
      }
    };
    for (const top of ['main', 'shared', 'preload', 'bench']) walk(join(root, top));
    expect(callers).toEqual([]);
  });
});
