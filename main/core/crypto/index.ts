/**
 * Parley's cryptographic primitives, on node:crypto only and limited to what both OpenSSL and
 * Electron's BoringSSL provide: ECDSA and ECDH on P-256, HKDF-SHA256, AES-256-GCM, SHA-256.
 * Call `runCryptoSelfTests()` once at start-up, before any of the rest.
 *
 * Internal helpers (verifyRaw, importPrivateKeyRaw, the byte helpers) are deliberately not
 * re-exported: they exist for the self-tests.
 */
export { SIGN_LABELS, SEAL_CONTEXTS, SEAL_HKDF_INFO_PREFIX, MAX_LABEL_BYTES } from './labels';
export type { SignLabel, SealContext } from './labels';
export { sha256, sha256Hex, SHA256_BYTES } from './hash';
export { randomBytes, randomId, RANDOM_ID_BITS } from './random';
export {
  generateEcKeyPair,
  publicKeyOf,
  exportPublicKeyRaw,
  importPublicKeyRaw,
  exportPublicKeySpki,
  importPublicKeySpki,
  exportPrivateKeyPkcs8,
  importPrivateKeyPkcs8,
  P256_PUBLIC_RAW_BYTES,
} from './keys';
export type { EcKeyPair } from './keys';
export { sign, verify, labelledMessage, SIGNATURE_BYTES } from './signature';
export { ecdh, ECDH_SECRET_BYTES } from './ecdh';
export { hkdfSha256 } from './hkdf';
export {
  aeadSeal,
  aeadOpen,
  AEAD_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  AEAD_OVERHEAD_BYTES,
} from './aead';
export { sealToRecipient, sealToRecipients, openSealed, SEAL_OVERHEAD_BYTES } from './seal';
export type { SealTarget } from './seal';
export { createEcdhThreads, thisThreadOnly } from './ecdh-threads';
export type { EcdhDeriver, EcdhThreads } from './ecdh-threads';
export { runCryptoSelfTests } from './self-test';
