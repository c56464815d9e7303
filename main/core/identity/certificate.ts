/**
 * The node's self-signed X.509 certificate, presented in both directions of every mutual-TLS
 * peer link. Nothing trusts it because of who signed it: peers pin the device ID, which is the
 * hash of the certificate's public key. So the certificate only needs to be well-formed for
 * TLS 1.3 with ECDSA P-256, and long-lived (a new certificate for the same key keeps the ID).
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto, createPrivateKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KeyObject } from 'node:crypto';

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Certificates are pinned by key, not by date: make them outlive the installation. */
const CERT_LIFETIME_MS = 100 * 365 * 24 * 3600 * 1000;
/** Tolerate peers whose clocks are behind ours. */
const CERT_BACKDATE_MS = 24 * 3600 * 1000;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface NewKeyAndCertificate {
  privateKey: KeyObject;
  certificatePem: string;
}

/** Generates a fresh P-256 key pair and a self-signed certificate for it. */
export async function createKeyAndCertificate(commonName: string): Promise<NewKeyAndCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '7'), // keep the serial a positive integer
    name: `CN=${escapeDn(commonName)}`,
    notBefore: new Date(now - CERT_BACKDATE_MS),
    notAfter: new Date(now + CERT_LIFETIME_MS),
    signingAlgorithm: ECDSA_P256,
    keys: keys as unknown as Parameters<
      typeof x509.X509CertificateGenerator.createSelfSigned
    >[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    certificatePem: cert.toString('pem'),
  };
}

/** Parses a PEM certificate; throws on anything that is not one. */
export function parseCertificate(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

function escapeDn(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
}
