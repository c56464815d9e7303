/**
 * The node's self-signed X.509 certificate, presented in both directions of every mutual-TLS
 * peer link. Nothing trusts it because of who signed it: peers pin the device ID, which is the
 * hash of the certificate's public key. So the certificate only needs to be well-formed for
 * TLS 1.3 with ECDSA P-256, and long-lived (a new certificate for the same key keeps the ID).
 *
 * It is written here with a few DER encoders (certificate-der.ts) rather than an X.509 library:
 * the one Parley used (@peculiar/x509, with reflect-metadata and tsyringe) was loaded by every
 * node for this one call at first start, and cost about 6 MiB of resident memory in the
 * bundled `parley serve` (21 MiB loaded alone on bare Node).
 *
 * What must stay true: the certificate is X.509 v3 (RFC 5280) with a positive serial, subject
 * = issuer = CN=<name> as a UTF8String, ecdsa-with-SHA256 (SHA-384 for a P-384 key, which only
 * tests make), basicConstraints CA:FALSE and keyUsage digitalSignature (both critical) and
 * extKeyUsage serverAuth + clientAuth: TLS refuses a peer certificate whose key usage does not
 * allow the handshake it signs.
 */
import { createPublicKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { generateEcKeyPair } from '../crypto/keys';
import {
  bitStringOfBytes,
  boolean,
  certificateTime,
  explicit,
  namedBits,
  objectIdentifier,
  octetString,
  sequence,
  setOfOne,
  unsignedInteger,
  utf8String,
} from './certificate-der';

/** Certificates are pinned by key, not by date: make them outlive the installation. */
const CERT_LIFETIME_MS = 100 * 365 * 24 * 3600 * 1000;
/** Tolerate peers whose clocks are behind ours. */
const CERT_BACKDATE_MS = 24 * 3600 * 1000;
/** Serial numbers: 16 bytes (RFC 5280 allows up to 20), of which 126 bits are random. */
const SERIAL_BYTES = 16;
const MAX_SERIAL_OCTETS = 20;
/** RFC 5280 ub-common-name, in characters. */
export const COMMON_NAME_MAX_LENGTH = 64;

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;
/** keyUsage's digitalSignature bit (RFC 5280 §4.2.1.3). */
const DIGITAL_SIGNATURE_BIT = 0;

/** The signature algorithm for a key, by its curve as node:crypto names it (RFC 5758 §3.2). */
const SIGNATURE_FOR_CURVE: Readonly<Record<string, { hash: string; oid: string }>> = {
  prime256v1: { hash: 'sha256', oid: '1.2.840.10045.4.3.2' }, // ecdsa-with-SHA256
  secp384r1: { hash: 'sha384', oid: '1.2.840.10045.4.3.3' }, // ecdsa-with-SHA384
};

export interface NewKeyAndCertificate {
  privateKey: KeyObject;
  certificatePem: string;
}

export interface SelfSignedOptions {
  /** An EC private key on P-256 (or P-384); the certificate is for its public half. */
  privateKey: KeyObject;
  /** Subject and issuer CN, 1 to 64 characters. */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Big-endian serial number; default: 16 random bytes, kept positive. */
  serialNumber?: Uint8Array;
}

/**
 * Generates a fresh P-256 key pair and a self-signed certificate for it. (The key comes from
 * generateEcKeyPair, not generateKeyPair: see there why.)
 */
export function createKeyAndCertificate(commonName: string): Promise<NewKeyAndCertificate> {
  const { privateKey } = generateEcKeyPair();
  const now = Date.now();
  const certificatePem = selfSignedCertificate({
    privateKey,
    commonName,
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(now + CERT_LIFETIME_MS),
  });
  return Promise.resolve({ privateKey, certificatePem });
}

/** A self-signed certificate for `privateKey`'s public key, signed by it, as PEM. */
export function selfSignedCertificate(options: SelfSignedOptions): string {
  const { privateKey, commonName, notBefore, notAfter } = options;
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  const algorithm = curve === undefined ? undefined : SIGNATURE_FOR_CURVE[curve];
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ec' || !algorithm) {
    throw new RangeError('a certificate needs an EC private key on P-256 or P-384');
  }
  const length = [...commonName].length;
  if (length < 1 || length > COMMON_NAME_MAX_LENGTH) {
    throw new RangeError(`a common name has 1 to ${COMMON_NAME_MAX_LENGTH} characters`);
  }
  if (!(notBefore.getTime() <= notAfter.getTime())) {
    throw new RangeError('a certificate must not end before it starts');
  }
  const serial = unsignedInteger(options.serialNumber ?? randomSerial());
  // RFC 5280 §4.1.2.2: positive, and at most 20 octets with the zero that keeps it positive.
  if (serial.length - 2 > MAX_SERIAL_OCTETS || serial.every((b, i) => i < 2 || b === 0)) {
    throw new RangeError(`a serial number is positive and at most ${MAX_SERIAL_OCTETS} octets`);
  }

  const signatureAlgorithm = sequence(objectIdentifier(algorithm.oid));
  const name = sequence(
    setOfOne(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const tbsCertificate = sequence(
    explicit(0, unsignedInteger(Uint8Array.of(2))), // v3
    serial,
    signatureAlgorithm,
    name, // issuer
    sequence(certificateTime(notBefore), certificateTime(notAfter)),
    name, // subject
    spki,
    explicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence()), // cA FALSE is the DEFAULT: omitted
        extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE_BIT])),
        extension(
          OID.extKeyUsage,
          false,
          sequence(objectIdentifier(OID.serverAuth), objectIdentifier(OID.clientAuth)),
        ),
      ),
    ),
  );
  const signature = sign(algorithm.hash, tbsCertificate, { key: privateKey, dsaEncoding: 'der' });
  return toPem(sequence(tbsCertificate, signatureAlgorithm, bitStringOfBytes(signature)));
}

/** Parses a PEM certificate; throws on anything that is not one. */
export function parseCertificate(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

/** An Extension; `critical` FALSE is the DEFAULT, so DER leaves it out. */
function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

function randomSerial(): Uint8Array {
  const serial = randomBytes(SERIAL_BYTES);
  // Top bit clear: a positive INTEGER with no zero byte in front. Next bit set: never zero, and
  // always 16 bytes long.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  return serial;
}

function toPem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
