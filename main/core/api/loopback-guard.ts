/**
 * Checks shared by the node's loopback servers (the local REST API and the web GUI): is a
 * request addressed to this server by a loopback name, and does a secret it carries match.
 *
 * What must stay true:
 * - Only `127.0.0.1:<port>` and `localhost:<port>` pass the Host check: a web page that made
 *   its own domain resolve to 127.0.0.1 (DNS rebinding) sends its own name and is refused.
 * - Secrets are compared in constant time, whatever their lengths.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The Host header values a loopback server on `port` answers to. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host !== undefined && loopbackHosts(port).includes(host);
}

/**
 * Whether `given` equals `expected`, in time that depends on neither: both are hashed first, so
 * that not even the length of the expected secret leaks.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A fresh random 256-bit secret, base64url (43 characters, safe in headers and fragments). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
