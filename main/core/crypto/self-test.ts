/**
 * Known-answer self-tests of every primitive, run once when a node starts, before any key is
 * used. If this build's crypto library computes something wrong (a broken BoringSSL or OpenSSL
 * build, a bad polyfill), Parley refuses to start rather than encrypt or sign with it.
 *
 * What must stay true:
 * - Each primitive is called through the same module export the protocol uses (not through
 *   node:crypto directly), so what is tested is what runs.
 * - Vectors come from published sources (named beside each), except the seal-to-recipient box,
 *   which is Parley's own construction and was computed independently (Python `cryptography`)
 *   from the RFC 5903 keys below.
 * - Each check also tests a wrong input is refused, so a primitive that accepts everything
 *   cannot pass.
 * - It stays fast (a few milliseconds): one vector per primitive (two for HKDF, whose empty-salt
 *   path sealed boxes take is checked on its own), no loops.
 */
import { ParleyError } from '../../../shared/errors';
import { aeadOpen, aeadSeal } from './aead';
import { asciiBytes, bytesEqual, concatBytes, fromHex, toHex } from './bytes';
import { ecdh, ephemeralEcdhOf } from './ecdh';
import { sha256 } from './hash';
import { hkdfSha256 } from './hkdf';
import {
  exportPrivateKeyPkcs8,
  exportPublicKeyRaw,
  exportPublicKeySpki,
  generateEcKeyPair,
  importPrivateKeyPkcs8,
  importPrivateKeyRaw,
  importPublicKeyRaw,
  importPublicKeySpki,
  publicKeyOf,
} from './keys';
import { SEAL_CONTEXTS, SIGN_LABELS } from './labels';
import { randomBytes, randomId } from './random';
import { openSealed, sealToRecipient } from './seal';
import { sign, verify, verifyRaw } from './signature';

/** RFC 5903 section 8.1 (ECDH P-256): the initiator's and the responder's key pairs. */
const RFC5903 = {
  i: 'c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433',
  gi:
    '04' +
    'dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180' +
    '5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3',
  r: 'c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53',
  gr:
    '04' +
    'd12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63' +
    '56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab',
  /** girx: the x coordinate of the shared point. */
  shared: 'd6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de',
};

function fail(primitive: string, detail: string, cause?: unknown): never {
  throw new ParleyError(
    'CRYPTO_SELF_TEST_FAILED',
    `Cryptography self-test failed: ${primitive}: ${detail}. Parley will not start; ` +
      'this usually means the crypto library of this build is broken.',
    { cause },
  );
}

/** Runs one primitive's checks; anything it throws is reported as that primitive's failure. */
function check(primitive: string, run: (expect: Expect) => void): void {
  const expect: Expect = {
    bytes: (what, got, expectedHex) => {
      if (!(got instanceof Uint8Array) || toHex(got) !== expectedHex) {
        const shown = got instanceof Uint8Array ? toHex(got) : String(got);
        fail(primitive, `${what} was ${shown}, expected ${expectedHex}`);
      }
    },
    that: (what, ok) => {
      if (!ok) fail(primitive, what);
    },
  };
  try {
    run(expect);
  } catch (err) {
    if (err instanceof ParleyError && err.code === 'CRYPTO_SELF_TEST_FAILED') throw err;
    fail(primitive, `threw ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

interface Expect {
  /** Fails unless `got` is exactly the bytes of `expectedHex` (lowercase). */
  bytes(what: string, got: Uint8Array | null, expectedHex: string): void;
  /** Fails with `what` unless `ok`; `what` says what should have happened. */
  that(what: string, ok: boolean): void;
}

export function runCryptoSelfTests(): void {
  check('SHA-256', (expect) => {
    // FIPS 180-2, appendix B.1: the one-block message "abc".
    expect.bytes(
      'digest of "abc"',
      sha256(asciiBytes('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  check('HKDF-SHA256', (expect) => {
    // RFC 5869, appendix A.1 (test case 1).
    expect.bytes(
      'OKM of RFC 5869 test case 1',
      hkdfSha256(
        fromHex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'),
        fromHex('000102030405060708090a0b0c'),
        fromHex('f0f1f2f3f4f5f6f7f8f9'),
        42,
      ),
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
    // RFC 5869, appendix A.3 (test case 3): an empty salt, which is what every sealed box
    // uses. hkdf.ts computes the RFC itself over HMAC, so that path is checked on its own.
    expect.bytes(
      'OKM of RFC 5869 test case 3',
      hkdfSha256(
        fromHex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'),
        new Uint8Array(0),
        new Uint8Array(0),
        42,
      ),
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  check('AES-256-GCM', (expect) => {
    // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test case 16: 256-bit key,
    // 96-bit IV, 60-byte plaintext, 20-byte AAD.
    const key = fromHex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = fromHex('cafebabefacedbaddecaf888');
    const aad = fromHex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const plaintextHex =
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
      '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
    const boxHex =
      'cafebabefacedbaddecaf888' +
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
      '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
      '76fc6ece0f4e1768cddf8853bb2d551b';
    expect.bytes('sealed box', aeadSeal(key, fromHex(plaintextHex), aad, iv), boxHex);
    const box = fromHex(boxHex);
    expect.bytes('opened plaintext', aeadOpen(key, box, aad), plaintextHex);
    const flipped = Uint8Array.from(box);
    flipped[20] = (flipped[20] ?? 0) ^ 0x01;
    expect.that('a box with a flipped bit opened', aeadOpen(key, flipped, aad) === null);
    expect.that('a box opened with the wrong AAD', aeadOpen(key, box, iv) === null);
  });

  check('random', (expect) => {
    // No known answer exists for randomness; this is the classic continuous test: two draws
    // differ (a stuck generator repeats) and IDs have their documented shape.
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect.that('randomBytes returned the wrong length', a.length === 32 && b.length === 32);
    expect.that('two randomBytes draws were equal', !bytesEqual(a, b));
    expect.that('randomId is not 32 lowercase hex characters', /^[0-9a-f]{32}$/.test(randomId()));
  });

  check('P-256 keys', (expect) => {
    // RFC 5903 section 8.1: the private scalar i gives the public point gi (d·G, a known
    // answer for scalar multiplication), and the encodings round-trip.
    const priv = importPrivateKeyRaw(fromHex(RFC5903.i));
    expect.bytes(
      'public point of the RFC 5903 scalar i',
      exportPublicKeyRaw(publicKeyOf(priv)),
      RFC5903.gi,
    );
    const pub = importPublicKeyRaw(fromHex(RFC5903.gi));
    const spkiHex = '3059301306072a8648ce3d020106082a8648ce3d030107034200' + RFC5903.gi;
    expect.bytes('SPKI of gi', exportPublicKeySpki(pub), spkiHex);
    expect.bytes(
      'raw point of the imported SPKI',
      exportPublicKeyRaw(importPublicKeySpki(fromHex(spkiHex))),
      RFC5903.gi,
    );
    const reimported = importPrivateKeyPkcs8(exportPrivateKeyPkcs8(priv));
    expect.bytes(
      'public point after a PKCS#8 round trip',
      exportPublicKeyRaw(publicKeyOf(reimported)),
      RFC5903.gi,
    );
    // Refusing points off the curve is what stops invalid-curve attacks on ECDH.
    const offCurve = fromHex(RFC5903.gi);
    offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
    let refused = false;
    try {
      importPublicKeyRaw(offCurve);
    } catch (err) {
      refused = err instanceof ParleyError && err.code === 'BAD_REQUEST';
    }
    expect.that('a point off the curve was accepted', refused);
  });

  check('ECDH P-256', (expect) => {
    // RFC 5903 section 8.1: both sides reach girx.
    const i = importPrivateKeyRaw(fromHex(RFC5903.i));
    const r = importPrivateKeyRaw(fromHex(RFC5903.r));
    const gi = importPublicKeyRaw(fromHex(RFC5903.gi));
    const gr = importPublicKeyRaw(fromHex(RFC5903.gr));
    expect.bytes('initiator secret', ecdh(i, gr), RFC5903.shared);
    expect.bytes('responder secret', ecdh(r, gi), RFC5903.shared);
    // The one-time keys of seals derive through node's ECDH object: the same vector.
    expect.bytes(
      'ephemeral secret',
      ephemeralEcdhOf(i).derive(fromHex(RFC5903.gr)),
      RFC5903.shared,
    );
  });

  check('ECDSA P-256', (expect) => {
    // RFC 6979 appendix A.2.5: key pair, and the P-256/SHA-256 signature of "sample". The
    // published signature has no Parley label, so it is checked with verifyRaw.
    const publicKey = importPublicKeyRaw(
      fromHex(
        '04' +
          '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
          '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
      ),
    );
    const published = fromHex(
      'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
        'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    );
    const sample = asciiBytes('sample');
    expect.that('the RFC 6979 signature did not verify', verifyRaw(publicKey, sample, published));
    expect.that(
      'the RFC 6979 signature verified for another message',
      !verifyRaw(publicKey, asciiBytes('samplf'), published),
    );
    // Our labelled signatures: they verify under their own label only, and only for their data.
    const { privateKey, publicKey: ownPublic } = generateEcKeyPair();
    const data = asciiBytes('parley self-test');
    const signature = sign(privateKey, SIGN_LABELS.selfTest, data);
    expect.that('a signature is not 64 bytes', signature.length === 64);
    expect.that(
      'a fresh signature did not verify',
      verify(ownPublic, SIGN_LABELS.selfTest, data, signature),
    );
    expect.that(
      'a signature verified under another label',
      !verify(ownPublic, SIGN_LABELS.discovery, data, signature),
    );
    expect.that(
      'a signature verified with another key',
      !verify(publicKey, SIGN_LABELS.selfTest, data, signature),
    );
  });

  check('seal-to-recipient', (expect) => {
    // Parley's own construction (seal.ts) with RFC 5903's r as recipient and i as ephemeral key;
    // the expected box was computed independently with Python's `cryptography` package.
    const recipient = importPrivateKeyRaw(fromHex(RFC5903.r));
    const ephemeral = importPrivateKeyRaw(fromHex(RFC5903.i));
    const plaintext = asciiBytes('parley seal known answer');
    const boxHex =
      RFC5903.gi +
      '1e0efe9e54d5f4628fa755c0' +
      '9e009234e2f73d972695d7ee2a3d5a831de7f5663af5fe84' +
      '3e248941a5c0edadc271c4786375ad2a';
    expect.bytes(
      'sealed box',
      sealToRecipient(publicKeyOf(recipient), SEAL_CONTEXTS.selfTest, plaintext, ephemeral),
      boxHex,
    );
    const box = fromHex(boxHex);
    expect.bytes(
      'opened plaintext',
      openSealed(recipient, SEAL_CONTEXTS.selfTest, box),
      toHex(plaintext),
    );
    expect.that(
      'a box opened under another context',
      openSealed(recipient, SEAL_CONTEXTS.roomKey, box) === null,
    );
    expect.that(
      'a box opened by another recipient',
      openSealed(ephemeral, SEAL_CONTEXTS.selfTest, box) === null,
    );
    const tampered = concatBytes(
      box.subarray(0, box.length - 1),
      Uint8Array.of((box[box.length - 1] ?? 0) ^ 1),
    );
    expect.that(
      'a tampered box opened',
      openSealed(recipient, SEAL_CONTEXTS.selfTest, tampered) === null,
    );
  });
}
