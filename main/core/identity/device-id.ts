/**
 * Device IDs: how Parley names a node. The ID is the SHA-256 of the node certificate's
 * SubjectPublicKeyInfo (DER), so it can be checked against any certificate or key a peer
 * presents; nobody can claim an ID without the matching private key.
 *
 * Shown as in Syncthing: base32 (RFC 4648, no padding) of the 32-byte hash is 52 characters;
 * each quarter of 13 gets a Luhn mod 32 check character (so a mistyped ID is caught), and the
 * 56 characters are grouped by 7: `MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD`.
 *
 * The fingerprint is for comparing by eye or reading aloud over the phone: 30 decimal digits
 * in six groups of five, derived from a separate hash of the key (like Signal's safety numbers).
 */
import { createHash } from 'node:crypto';
import { ParleyError } from '../../../shared/errors';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HASH_BYTES = 32;
const CHUNK_CHARS = 13;
const GROUP_CHARS = 7;
const FINGERPRINT_LABEL = 'parley/v1/fingerprint';
const FINGERPRINT_GROUPS = 6;
const FINGERPRINT_GROUP_BYTES = 5;

export interface DeviceIdentityNames {
  /** The full device ID, grouped with dashes. */
  deviceId: string;
  /** Its first group: enough to tell peers apart in a list, never enough to trust. */
  shortId: string;
  /** 30 digits in six groups of five, for comparing by eye. */
  fingerprint: string;
}

export function namesForPublicKey(spkiDer: Uint8Array): DeviceIdentityNames {
  const digest = createHash('sha256').update(spkiDer).digest();
  const deviceId = formatDeviceId(digest);
  return {
    deviceId,
    shortId: deviceId.slice(0, GROUP_CHARS),
    fingerprint: fingerprintOf(spkiDer),
  };
}

export function deviceIdForPublicKey(spkiDer: Uint8Array): string {
  return formatDeviceId(createHash('sha256').update(spkiDer).digest());
}

/** Formats a 32-byte hash as a device ID. */
export function formatDeviceId(hash: Uint8Array): string {
  if (hash.length !== HASH_BYTES) throw new RangeError('a device ID is made from 32 bytes');
  const plain = base32Encode(hash);
  let withChecks = '';
  for (let i = 0; i < plain.length; i += CHUNK_CHARS) {
    const chunk = plain.slice(i, i + CHUNK_CHARS);
    withChecks += chunk + luhnBase32(chunk);
  }
  return withChecks.match(new RegExp(`.{${GROUP_CHARS}}`, 'g'))!.join('-');
}

/**
 * Parses a device ID typed or pasted by a person: case, spaces and dashes do not matter, and
 * the commonly confused 0/1/8 are read as O/I/B. Throws BAD_REQUEST with a reason a person
 * understands when it is not a device ID or a check character is wrong.
 */
export function parseDeviceId(input: string): string {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
  const withChecksLength = (CHUNK_CHARS + 1) * 4;
  if (
    cleaned.length !== withChecksLength ||
    ![...cleaned].every((c) => BASE32_ALPHABET.includes(c))
  ) {
    throw new ParleyError(
      'BAD_REQUEST',
      `"${input}" is not a device ID (56 letters and digits 2-7).`,
    );
  }
  let plain = '';
  for (let i = 0; i < cleaned.length; i += CHUNK_CHARS + 1) {
    const chunk = cleaned.slice(i, i + CHUNK_CHARS);
    if (luhnBase32(chunk) !== cleaned[i + CHUNK_CHARS]) {
      throw new ParleyError(
        'BAD_REQUEST',
        `"${input}" is not a valid device ID (a check character is wrong; is it mistyped?).`,
      );
    }
    plain += chunk;
  }
  return formatDeviceId(base32Decode(plain, HASH_BYTES));
}

export function fingerprintOf(spkiDer: Uint8Array): string {
  const digest = createHash('sha256').update(FINGERPRINT_LABEL).update(spkiDer).digest();
  const groups: string[] = [];
  for (let g = 0; g < FINGERPRINT_GROUPS; g++) {
    let value = 0;
    for (let b = 0; b < FINGERPRINT_GROUP_BYTES; b++)
      value = value * 256 + digest[g * FINGERPRINT_GROUP_BYTES + b]!;
    groups.push(String(value % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}

/** Luhn mod N over base32 characters (the variant Syncthing uses for device IDs). */
function luhnBase32(chunk: string): string {
  const n = BASE32_ALPHABET.length;
  let factor = 1;
  let sum = 0;
  for (const ch of chunk) {
    const codepoint = BASE32_ALPHABET.indexOf(ch);
    let addend = factor * codepoint;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return BASE32_ALPHABET[(n - (sum % n)) % n]!;
}

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string, byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength);
  let buffer = 0;
  let bits = 0;
  let i = 0;
  for (const ch of text) {
    buffer = ((buffer << 5) | BASE32_ALPHABET.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      if (i < byteLength) out[i++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}
