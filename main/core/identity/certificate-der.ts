/**
 * The few DER encoders (ITU-T X.690) that the node's self-signed certificate needs, and no
 * decoder: Parley writes certificates but reads them only through node:crypto's
 * X509Certificate (OpenSSL).
 *
 * What must stay true: every function returns the one DER encoding of its value, since the
 * signature covers these exact bytes: lengths in the shortest form, integers with no redundant
 * leading byte, times in UTC with whole seconds, a BIT STRING's unused bits zero.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** RFC 5280 §4.1.2.5: UTCTime for the years 1950 to 2049, GeneralizedTime otherwise. */
const FIRST_UTC_TIME_YEAR = 1950;
const FIRST_GENERALIZED_TIME_YEAR = 2050;
/** Years GeneralizedTime can write with its four digits. */
const LAST_GENERALIZED_TIME_YEAR = 9999;

/** One TLV: the tag, the length (short form below 128, else long form), the content. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return Buffer.concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(TAG.sequence, ...items);

/** A SET OF with one member (a SET OF with several would have to be sorted first). */
export const setOfOne = (item: Uint8Array): Uint8Array => tlv(TAG.set, item);

/** [n] EXPLICIT, constructed, context-specific. */
export const explicit = (n: number, item: Uint8Array): Uint8Array => tlv(0xa0 | n, item);

export const boolean = (value: boolean): Uint8Array =>
  tlv(TAG.boolean, Uint8Array.of(value ? 0xff : 0x00));

export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.octetString, bytes);

/** A BIT STRING of whole bytes (no unused bits), as signatures and SPKI keys are. */
export const bitStringOfBytes = (bytes: Uint8Array): Uint8Array =>
  tlv(TAG.bitString, Uint8Array.of(0), bytes);

/**
 * A BIT STRING of named bits (bit 0 is the most significant bit of the first byte), as
 * keyUsage is: X.690 §11.2.2 drops trailing zero bits, so the length depends on the last bit
 * set.
 */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return tlv(TAG.bitString, Uint8Array.of(0));
  const last = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(last / 8) + 1);
  for (const bit of bits) {
    if (!Number.isInteger(bit) || bit < 0) throw new RangeError(`not a bit number: ${bit}`);
    bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  }
  return tlv(TAG.bitString, Uint8Array.of(7 - (last & 7)), bytes);
}

/** A non-negative INTEGER from its big-endian magnitude. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return tlv(TAG.integer, Uint8Array.of(0));
  // A set top bit would read as negative: a zero byte in front keeps the value positive.
  return trimmed[0]! & 0x80
    ? tlv(TAG.integer, Uint8Array.of(0), trimmed)
    : tlv(TAG.integer, trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form, e.g. '1.2.840.10045.4.3.2'. */
export function objectIdentifier(dotted: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(dotted)) throw new RangeError(`not an OID: ${dotted}`);
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs as [number, number, ...number[]];
  if (first < 2 && second > 39) throw new RangeError(`not an OID: ${dotted}`);
  if (arcs.some((arc) => !Number.isSafeInteger(arc))) throw new RangeError(`OID arc too large`);
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base 128, most significant group first, every byte but the last with its top bit set.
    const groups = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) {
      groups.unshift(0x80 | (v % 128));
    }
    bytes.push(...groups);
  }
  return tlv(TAG.objectIdentifier, Uint8Array.from(bytes));
}

/**
 * A UTF8String. Strings with unpaired surrogates are refused rather than written with
 * replacement characters, so that what is encoded is what was asked for.
 */
export function utf8String(text: string): Uint8Array {
  if (/\p{Surrogate}/u.test(text)) throw new RangeError('the text has an unpaired surrogate');
  return tlv(TAG.utf8String, Buffer.from(text, 'utf8'));
}

/** A certificate validity time: UTCTime before 2050, GeneralizedTime from 2050 on. */
export function certificateTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > LAST_GENERALIZED_TIME_YEAR) {
    throw new RangeError(`a certificate cannot hold the time ${date.toString()}`);
  }
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  return year >= FIRST_UTC_TIME_YEAR && year < FIRST_GENERALIZED_TIME_YEAR
    ? tlv(TAG.utcTime, Buffer.from(two(year % 100) + rest, 'ascii'))
    : tlv(TAG.generalizedTime, Buffer.from(String(year).padStart(4, '0') + rest, 'ascii'));
}
