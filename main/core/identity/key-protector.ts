/**
 * How the identity private key is protected at rest. The headless node keeps it in a 0600
 * file ('none'); the desktop app wraps it with the OS keychain through Electron's safeStorage
 * ('safeStorage', implemented in main/shell). main/core only knows this interface.
 */
export type KeyProtectionKind = 'none' | 'safeStorage';

export interface KeyProtector {
  readonly kind: KeyProtectionKind;
  /** Wraps the secret for storage on disk. */
  protect(secret: Uint8Array): Uint8Array;
  /** Unwraps what `protect` produced; throws if it cannot (another user, another machine). */
  unprotect(blob: Uint8Array): Uint8Array;
}

/** No wrapping: the file's 0600 mode is the protection. */
export const plainKeyProtector: KeyProtector = {
  kind: 'none',
  protect: (secret) => secret,
  unprotect: (blob) => blob,
};
