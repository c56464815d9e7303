import type { X509Certificate } from 'node:crypto';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  COMMON_NAME_MAX_LENGTH,
  createKeyAndCertificate,
  parseCertificate,
  selfSignedCertificate,
  type SelfSignedOptions,
} from './certificate';
import { ecPrivateKey } from './certificate.testing';

/** One TLV read back, for checking the certificate's structure independently of the writer. */
interface Tlv {
  tag: number;
  content: Buffer;
  /** The whole TLV, header included. */
  raw: Buffer;
}

/** Reads the TLVs that `bytes` is made of, one after the other. */
function readTlvs(bytes: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < bytes.length;) {
    const tag = bytes[at]!;
    let length = bytes[at + 1]!;
    let header = 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = bytes.subarray(at + 2, at + 2 + n).readUIntBE(0, n);
      header += n;
    }
    const end = at + header + length;
    expect(end).toBeLessThanOrEqual(bytes.length);
    out.push({ tag, content: bytes.subarray(at + header, end), raw: bytes.subarray(at, end) });
    at = end;
  }
  return out;
}

/** The certificate's parts: [tbsCertificate fields, signatureAlgorithm, signatureValue]. */
function certificateParts(cert: X509Certificate) {
  const [certificate] = readTlvs(cert.raw);
  const [tbs, algorithm, signature] = readTlvs(certificate!.content);
  const [version, serial, tbsAlgorithm, issuer, validity, subject, spki, extensions, ...rest] =
    readTlvs(tbs!.content);
  expect(rest).toEqual([]);
  return {
    version: version!,
    serial: serial!,
    tbsAlgorithm: tbsAlgorithm!,
    issuer: issuer!,
    validity: readTlvs(validity!.content),
    subject: subject!,
    spki: spki!,
    extensions: extensions!,
    algorithm: algorithm!,
    signature: signature!,
  };
}

const ECDSA_WITH_SHA256 = '300a06082a8648ce3d040302';
const ECDSA_WITH_SHA384 = '300a06082a8648ce3d040303';
/**
 * The extensions as RFC 5280 writes them, spelled out by hand (and checked with `openssl
 * asn1parse`): basicConstraints critical with an empty SEQUENCE (cA FALSE is the default),
 * keyUsage critical with digitalSignature only, extKeyUsage serverAuth + clientAuth.
 */
const EXTENSIONS =
  'a33f303d' +
  '300c0603551d130101ff04023000' +
  '300e0603551d0f0101ff040403020780' +
  '301d0603551d250416301406082b0601050507030106082b06010505070302';

const p256 = () => ecPrivateKey('P-256');

function certificateFor(overrides: Partial<SelfSignedOptions> = {}): X509Certificate {
  return parseCertificate(
    selfSignedCertificate({
      privateKey: p256(),
      commonName: 'parley device',
      notBefore: new Date('2026-01-02T03:04:05Z'),
      notAfter: new Date('2126-01-02T03:04:05Z'),
      ...overrides,
    }),
  );
}

const commonName = (cert: X509Certificate): unknown => cert.toLegacyObject().subject.CN;

describe('the node certificate', () => {
  it('is self-signed by the new key, for its public half', async () => {
    const { privateKey, certificatePem } = await createKeyAndCertificate('parley device');
    const cert = parseCertificate(certificatePem);
    const publicKey = createPublicKey(privateKey);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(publicKey)).toBe(true);
    // OpenSSL's issuer check also wants keyCertSign in the issuer's keyUsage, which RFC 5280
    // allows only with cA TRUE: a CA:FALSE leaf is never its own "issuer" in that sense (the
    // certificates @peculiar/x509 made were not either). TLS here pins keys, not chains.
    expect(cert.checkIssued(cert)).toBe(false);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(cert.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      publicKey.export({ type: 'spki', format: 'der' }),
    );
    expect(cert.toLegacyObject().nistCurve).toBe('P-256');
    // Another key's signature does not verify.
    expect(cert.verify(createPublicKey(p256()))).toBe(false);
  });

  it('is X.509 v3, signed with ecdsa-with-SHA256, with the three extensions', async () => {
    const cert = parseCertificate((await createKeyAndCertificate('parley device')).certificatePem);
    const parts = certificateParts(cert);
    expect(parts.version.raw.toString('hex')).toBe('a003020102');
    expect(parts.tbsAlgorithm.raw.toString('hex')).toBe(ECDSA_WITH_SHA256);
    expect(parts.algorithm.raw.toString('hex')).toBe(ECDSA_WITH_SHA256);
    expect(parts.extensions.raw.toString('hex')).toBe(EXTENSIONS);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    // The signature is a BIT STRING with no unused bits around a DER Ecdsa-Sig-Value.
    expect(parts.signature.tag).toBe(0x03);
    expect(parts.signature.content[0]).toBe(0);
    expect(parts.signature.content[1]).toBe(0x30);
  });

  it('names the device as subject and issuer, CN as a UTF8String', async () => {
    const cert = parseCertificate((await createKeyAndCertificate('parley device')).certificatePem);
    const parts = certificateParts(cert);
    expect(cert.subject).toBe('CN=parley device');
    expect(cert.issuer).toBe('CN=parley device');
    expect(parts.issuer.raw).toEqual(parts.subject.raw);
    expect(parts.subject.raw.toString('hex')).toBe(
      '3018311630140603550403' + '0c0d' + Buffer.from('parley device').toString('hex'),
    );
  });

  it('is valid from a day ago for a hundred years', async () => {
    const before = Date.now();
    const cert = parseCertificate((await createKeyAndCertificate('parley device')).certificatePem);
    const after = Date.now();
    const day = 24 * 3600 * 1000;
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    // Whole seconds: the times may be up to a second earlier than the clock read.
    expect(from).toBeGreaterThanOrEqual(before - day - 1000);
    expect(from).toBeLessThanOrEqual(after - day);
    expect(to - from).toBe(100 * 365 * day + day);
    const [notBefore, notAfter] = certificateParts(cert).validity;
    expect(notBefore!.tag).toBe(new Date(from).getUTCFullYear() < 2050 ? 0x17 : 0x18);
    expect(notAfter!.tag).toBe(0x18); // beyond 2049: GeneralizedTime
  });

  it('has a positive random serial of 16 bytes', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const cert = parseCertificate((await createKeyAndCertificate('d')).certificatePem);
      const serial = certificateParts(cert).serial;
      expect(serial.content.length).toBe(16);
      expect(serial.content[0]! & 0x80).toBe(0);
      expect(serial.content[0]).not.toBe(0);
      expect(cert.serialNumber).toBe(serial.content.toString('hex').toUpperCase());
      serials.add(cert.serialNumber);
    }
    expect(serials.size).toBe(20);
  });
});

describe('selfSignedCertificate', () => {
  it('switches from UTCTime to GeneralizedTime at 2050', () => {
    const cert = certificateFor({
      notBefore: new Date('2049-12-31T23:59:59Z'),
      notAfter: new Date('2050-01-01T00:00:00Z'),
    });
    expect(cert.validFrom).toBe('Dec 31 23:59:59 2049 GMT');
    expect(cert.validTo).toBe('Jan  1 00:00:00 2050 GMT');
    const [notBefore, notAfter] = certificateParts(cert).validity;
    expect(notBefore!.raw.toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(notAfter!.raw.toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });

  it('writes DN special characters as they are, for a parser to read back', () => {
    for (const name of ['a,b+c="d"\\<e>;f=g', '#lead', ' spaces ', 'CN=x, O=y', 'new\nline']) {
      const cert = certificateFor({ commonName: name });
      expect(commonName(cert), name).toBe(name);
      expect(cert.subject, name).not.toBe(`CN=${name}`); // node prints it escaped (RFC 2253)
      expect(certificateParts(cert).subject.raw.includes(Buffer.from(name)), name).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
    }
  });

  it('takes names up to 64 characters, multi-byte ones included', () => {
    for (const name of ['x'.repeat(COMMON_NAME_MAX_LENGTH), '🦜'.repeat(COMMON_NAME_MAX_LENGTH)]) {
      const cert = certificateFor({ commonName: name });
      expect(commonName(cert)).toBe(name);
      expect(cert.subject).toBe(`CN=${name}`);
      expect(cert.verify(cert.publicKey)).toBe(true);
    }
    // 256 bytes of UTF-8: the Name's lengths take the two-byte long form.
    const name = certificateParts(certificateFor({ commonName: '🦜'.repeat(64) })).subject;
    expect(name.raw.subarray(0, 4).toString('hex')).toBe('30820111');
  });

  it('refuses names that are empty, too long, or not well-formed text', () => {
    for (const name of ['', 'x'.repeat(COMMON_NAME_MAX_LENGTH + 1), 'a\ud800']) {
      expect(() => certificateFor({ commonName: name })).toThrow(RangeError);
    }
  });

  it('signs a P-384 key with ecdsa-with-SHA384', () => {
    const privateKey = ecPrivateKey('P-384');
    const publicKey = createPublicKey(privateKey);
    const cert = certificateFor({ privateKey });
    expect(cert.verify(publicKey)).toBe(true);
    expect(cert.toLegacyObject().nistCurve).toBe('P-384');
    expect(certificateParts(cert).algorithm.raw.toString('hex')).toBe(ECDSA_WITH_SHA384);
  });

  it('refuses keys it has no signature algorithm for', () => {
    // PKCS#8 of an Ed25519 key: a fixed header, then the 32-byte seed.
    const ed25519 = Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      randomBytes(32),
    ]);
    const keys = [
      ecPrivateKey('P-521'),
      createPrivateKey({ key: ed25519, format: 'der', type: 'pkcs8' }),
      createPublicKey(p256()),
    ];
    for (const privateKey of keys) {
      expect(() => certificateFor({ privateKey })).toThrow(RangeError);
    }
  });

  it('keeps a given serial positive and refuses zero or more than 20 octets', () => {
    expect(certificateFor({ serialNumber: Uint8Array.of(0x80, 1) }).serialNumber).toBe('8001');
    expect(
      certificateParts(certificateFor({ serialNumber: Uint8Array.of(0x80, 1) })).serial.raw,
    ).toEqual(Buffer.from('0203008001', 'hex'));
    expect(certificateFor({ serialNumber: Uint8Array.of(0, 0, 7) }).serialNumber).toBe('07');
    expect(certificateFor({ serialNumber: new Uint8Array(20).fill(0x7f) }).serialNumber).toBe(
      '7F'.repeat(20),
    );
    const tooLong = [new Uint8Array(21).fill(1), new Uint8Array(20).fill(0x80)];
    for (const serialNumber of [new Uint8Array(0), new Uint8Array(3), ...tooLong]) {
      expect(() => certificateFor({ serialNumber })).toThrow(RangeError);
    }
  });

  it('refuses a validity that ends before it starts', () => {
    expect(() =>
      certificateFor({ notBefore: new Date(2_000_000), notAfter: new Date(1_000_000) }),
    ).toThrow(RangeError);
    expect(() => certificateFor({ notBefore: new Date(Number.NaN) })).toThrow(RangeError);
  });
});
