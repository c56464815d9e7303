/**
 * TLS settings for peer links, and the one function that turns a TLS peer into a device ID.
 *
 * Both directions present the node's self-signed certificate over TLS 1.3. OpenSSL's chain
 * verification is off (`rejectUnauthorized: false`) because every certificate is self-signed:
 * trust comes from the key, never the issuer. So what must stay true:
 * - Nothing is believed about a peer until `peerDeviceId` has turned its certificate into a
 *   device ID, and the caller has compared that ID with the one it expected (dialling) or
 *   applied its rules to it (accepting). An undefined result means "refuse".
 * - Only the canonical P-256 SPKI is accepted, so one key has exactly one device ID.
 * - The TLS handshake itself proves the peer holds the private key of the certificate it
 *   presented (CertificateVerify), so the hash of that key names who is on the other end.
 */
import {
  createSecureContext,
  type ConnectionOptions,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls';
import { importPublicKeySpki } from '../crypto';
import { deviceIdForPublicKey } from '../identity/device-id';
import type { Identity } from '../identity/identity';

/** A TLS handshake must complete within this time, in milliseconds, or the socket is dropped. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

function keyAndCertificate(identity: Identity): { key: string; cert: string } {
  return {
    key: identity.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    cert: identity.certificatePem,
  };
}

/** Options for the peer server (node:https / node:tls). */
export function tlsServerOptions(identity: Identity): TlsOptions {
  return {
    ...keyAndCertificate(identity),
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    // Ask every client for its certificate, but let the handshake finish without a valid chain:
    // the server refuses clients without an acceptable certificate itself, by device ID.
    requestCert: true,
    rejectUnauthorized: false,
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

/**
 * Options for dialling a peer (node:tls connect). The secure context (key and certificate
 * parsed into OpenSSL) is built here once: passing PEM to every connect would rebuild it for
 * each dial, which costs about as much as half a handshake.
 */
export function tlsClientOptions(identity: Identity): ConnectionOptions {
  return {
    secureContext: createSecureContext({
      ...keyAndCertificate(identity),
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    }),
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    // Self-signed: the caller checks the server's device ID with peerDeviceId() instead.
    rejectUnauthorized: false,
  };
}

/**
 * The device ID the peer on this TLS socket authenticated as: the hash of its certificate's
 * public key. Undefined when it presented no certificate (or the handshake is not done), or
 * its key is not a P-256 key in canonical form.
 */
export function peerDeviceId(socket: TLSSocket): string | undefined {
  return authenticatedPeer(socket)?.deviceId;
}

/** Who the other end of a TLS connection proved to be: its device ID and its key. */
export interface AuthenticatedPeer {
  deviceId: string;
  /** DER SubjectPublicKeyInfo; its SHA-256 is `deviceId`. */
  key: Uint8Array;
}

/** The device ID and key the peer on this TLS socket authenticated with; undefined as peerDeviceId. */
export function authenticatedPeer(socket: TLSSocket): AuthenticatedPeer | undefined {
  const key = peerPublicKeySpki(socket);
  return key === undefined ? undefined : { deviceId: deviceIdForPublicKey(key), key };
}

/**
 * The public key (DER SubjectPublicKeyInfo) the peer on this TLS socket authenticated with;
 * undefined in the same cases as peerDeviceId.
 */
export function peerPublicKeySpki(socket: TLSSocket): Uint8Array | undefined {
  try {
    const certificate = socket.getPeerX509Certificate();
    if (certificate === undefined) return undefined;
    const spki = new Uint8Array(certificate.publicKey.export({ format: 'der', type: 'spki' }));
    importPublicKeySpki(spki);
    return spki;
  } catch {
    return undefined;
  }
}
