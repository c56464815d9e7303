/**
 * A KeyProtector on Electron's safeStorage: the identity private key is wrapped by the OS
 * (Keychain on macOS, DPAPI on Windows, the Secret Service or KWallet on Linux) before it is
 * written to the data dir, so a copy of the data dir alone does not reveal it.
 *
 * safeStorage encrypts strings, so the secret travels as base64. Call this only after the
 * app's `ready` event (safeStorage is unavailable before).
 *
 * Fallback: when the OS offers no encryption, we use the plain protector (the key file's 0600
 * mode is then the only protection) and log a warning. That happens on Linux without a
 * keyring daemon, and also when Chromium picked its 'basic_text' backend, which "encrypts"
 * with a hard-coded password: treating that as protection would be pretending.
 */
import { safeStorage } from 'electron';
import { plainKeyProtector, type KeyProtector } from '../core/identity/key-protector';
import type { Logger } from '../core/log/logger';

export function createSafeStorageKeyProtector(log: Logger): KeyProtector {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    log.warn('safe_storage_unavailable', {
      backend,
      effect: 'the identity key is stored unwrapped, protected by file permissions only',
    });
    return plainKeyProtector;
  }
  return {
    kind: 'safeStorage',
    protect: (secret) =>
      new Uint8Array(safeStorage.encryptString(Buffer.from(secret).toString('base64'))),
    unprotect: (blob) =>
      new Uint8Array(Buffer.from(safeStorage.decryptString(Buffer.from(blob)), 'base64')),
  };
}
