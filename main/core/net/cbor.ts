/**
 * CBOR (RFC 8949) for the peer wire, restricted to plain data: integers, floats, byte strings,
 * text strings, arrays, maps with text keys, booleans, null and undefined.
 *
 * What must stay true:
 * - Bytes from a peer are checked by `checkPlainCbor` BEFORE cbor-x sees them. cbor-x understands
 *   many tags (record definitions that change the decoder's state, value sharing that builds
 *   cycles, tag 27 that calls global constructors, Dates, Sets, typed arrays); none of them is
 *   part of Parley's protocol, so a frame with any tag is refused rather than interpreted.
 * - One frame is exactly one data item: indefinite lengths, reserved values and trailing bytes
 *   are refused, and nesting is bounded so a hostile frame cannot exhaust the stack.
 * - `decodeCbor` never throws; `encodeCbor` throws a ParleyError BAD_REQUEST for a value that is
 *   not plain data (a Date, a Set, a class instance with tags), so we never send what the peer
 *   would refuse.
 */
import { Decoder, Encoder } from 'cbor-x';
import { ParleyError } from '../../../shared/errors';

/** Deepest nesting of arrays and maps accepted in one item (the top level is depth 0). */
export const MAX_CBOR_DEPTH = 64;

export type CborDecodeResult = { ok: true; value: unknown } | { ok: false; reason: string };

const MAJOR_UINT = 0;
const MAJOR_NINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const SIMPLE_FALSE = 20;
const SIMPLE_UNDEFINED = 23;

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  structuredClone: false,
  bundleStrings: false,
  pack: false,
});

const decoder = new Decoder({
  useRecords: false,
  mapsAsObjects: true,
  // A byte string would otherwise pin the whole (up to 4 MiB) frame buffer in memory.
  copyBuffers: true,
});

/** Encodes plain data; throws ParleyError BAD_REQUEST for anything else. */
export function encodeCbor(value: unknown): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = encoder.encode(value);
  } catch (cause) {
    throw new ParleyError('BAD_REQUEST', 'The value cannot be encoded as CBOR.', { cause });
  }
  const problem = checkPlainCbor(bytes);
  if (problem !== undefined) {
    throw new ParleyError('BAD_REQUEST', `The value is not plain data: ${problem}.`);
  }
  return bytes;
}

/** Decodes one plain-data item; never throws. */
export function decodeCbor(bytes: Uint8Array): CborDecodeResult {
  const problem = checkPlainCbor(bytes);
  if (problem !== undefined) return { ok: false, reason: problem };
  try {
    return { ok: true, value: decoder.decode(bytes) as unknown };
  } catch (err) {
    return { ok: false, reason: `CBOR decoding failed: ${(err as Error).message}` };
  }
}

/**
 * Walks the encoded item without building values and returns why it is not one well-formed
 * plain-data item, or undefined when it is. Iterative, so depth costs no stack.
 */
export function checkPlainCbor(bytes: Uint8Array): string | undefined {
  const end = bytes.length;
  // Per open container: how many items it still needs, and whether it is a map (keys must be text).
  const open: { left: number; map: boolean }[] = [];
  let pos = 0;
  for (;;) {
    if (pos >= end) return 'truncated item';
    const initial = bytes[pos++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    const parent = open[open.length - 1];
    if (parent?.map && parent.left % 2 === 0 && major !== MAJOR_TEXT) {
      return 'map key is not a text string';
    }

    let arg: number;
    if (info < 24) arg = info;
    else if (info <= 27) {
      const size = 1 << (info - 24);
      if (end - pos < size) return 'truncated item';
      arg = 0;
      for (let i = 0; i < size; i++) arg = arg * 256 + bytes[pos + i]!;
      pos += size;
    } else if (info === 31) return 'indefinite length is not accepted';
    else return 'reserved additional information';

    let containerItems = 0;
    switch (major) {
      case MAJOR_UINT:
      case MAJOR_NINT:
        break;
      case MAJOR_BYTES:
      case MAJOR_TEXT:
        if (arg > end - pos) return 'truncated string';
        pos += arg;
        break;
      case MAJOR_ARRAY:
      case MAJOR_MAP:
        containerItems = major === MAJOR_MAP ? arg * 2 : arg;
        // Every item takes at least one byte: a longer claim can never be satisfied.
        if (containerItems > end - pos) return 'truncated container';
        break;
      case MAJOR_TAG:
        return `tag ${arg} is not accepted`;
      default: // MAJOR_SIMPLE
        if (info < 24 && (info < SIMPLE_FALSE || info > SIMPLE_UNDEFINED)) {
          return `simple value ${info} is not accepted`;
        }
        // info 24 is a one-byte simple value; 25, 26 and 27 are half, single and double floats.
        if (info === 24) return 'simple value is not accepted';
        break;
    }

    if (containerItems > 0) {
      if (open.length >= MAX_CBOR_DEPTH) return `nested deeper than ${MAX_CBOR_DEPTH}`;
      open.push({ left: containerItems, map: major === MAJOR_MAP });
      continue;
    }
    // One item is complete; close every container that it completes.
    for (;;) {
      const top = open[open.length - 1];
      if (top === undefined) return pos === end ? undefined : 'trailing bytes after the item';
      top.left--;
      if (top.left > 0) break;
      open.pop();
    }
  }
}
