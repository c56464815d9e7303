/**
 * The control-op codec: pure functions that sign and check the ops of a room's control log
 * (docs/PROTOCOL.md §8.1). No store, no clock, no room state: whether an op is *allowed* is
 * the fold's business (fold.ts); this module only says whether it is a well-formed op that its
 * author really signed.
 *
 *   SignedOp = CBOR { body: bstr, sig: bstr(64) }      hash = hex SHA-256(CBOR(SignedOp))
 *   body     = CBOR OpBody                              sig  = ECDSA(author, control-op label, body)
 *
 * What must stay true:
 * - `decodeSignedOp` never throws, whatever the bytes; the size cap is checked before anything
 *   is decoded, and the signature is verified after every cheap check.
 * - One op has exactly one encoding, so exactly one hash: both CBOR layers must be byte for
 *   byte what `encodeCbor` writes for the parsed value (fields in schema order, integers as
 *   integers), and signatures are low-S (crypto/signature.ts). Nobody but the author can
 *   produce a second encoding of an op, so nobody can give it a second hash.
 * - An op names its author twice (device ID and SPKI): the ID must be the hash of the key and
 *   the signature must verify with that key, so an op verifies without any directory.
 * - `encodeSignedOp` returns only what `decodeSignedOp` accepts: a node never sends an op its
 *   peers would refuse as malformed.
 */
import type { KeyObject } from 'node:crypto';
import {
  MAX_OP_BODY_BYTES,
  OpBody,
  SignedOp,
  type OpBody as OpBodyValue,
} from '../../../shared/room-wire';
import { ParleyError } from '../../../shared/errors';
import { importPublicKeySpki, sha256Hex, sign, SIGN_LABELS, verify } from '../crypto';
import { bytesEqual } from '../crypto/bytes';
import { deviceIdForPublicKey } from '../identity/device-id';
import { decodeCbor, encodeCbor } from '../net/cbor';

/**
 * Largest encoded SignedOp, in bytes: the largest body plus the map around it (map header, two
 * keys, two byte-string headers, a 64-byte signature: under 100 bytes). Same bound as OpsPush.
 */
export const MAX_SIGNED_OP_BYTES = MAX_OP_BODY_BYTES + 128;

/** An op that passed every check of `decodeSignedOp`. */
export interface DecodedOp {
  /** SHA-256 of `bytes`, lower-case hex: the op's name in `prev`, in the store and in sync. */
  hash: string;
  /** The SignedOp exactly as it travels and is stored. */
  bytes: Uint8Array;
  body: OpBodyValue;
  /** `body.authorKey`, imported; `body.author` is its device ID. */
  authorKey: KeyObject;
}

export type DecodeOpResult = { ok: true; op: DecodedOp } | { ok: false; reason: string };

/**
 * Signs `body` with the author's private key. Throws ParleyError BAD_REQUEST when the result
 * would not be a valid op (schema, parents, a key that is not the author's): the body comes
 * from this node, so that is a programming error, and nothing is sent.
 */
export function encodeSignedOp(body: OpBodyValue, privateKey: KeyObject): DecodedOp {
  const parsed = OpBody.safeParse(body);
  if (!parsed.success) {
    throw new ParleyError('BAD_REQUEST', `Not a valid control op: ${parsed.error.message}`);
  }
  // Encoding the parsed value, not the caller's object, puts the fields in schema order.
  const bodyBytes = encodeCbor(parsed.data);
  const sig = sign(privateKey, SIGN_LABELS.controlOp, bodyBytes);
  // A copy on a buffer of its own, as decodeSignedOp keeps: the encoder's output may share its
  // working buffer, and the op is kept (in the store's queue, in the fold's log).
  const bytes = new Uint8Array(encodeCbor({ body: bodyBytes, sig }));
  // decodeSignedOp's checks, less the round trip through CBOR and the schema: these bytes are
  // encodeCbor of a value the schema just parsed, which is the canonical form by construction
  // (op-codec.test.ts checks that decodeSignedOp accepts every op this returns, and that it
  // hashes the same). What remains is what the parse cannot know: the size cap, the parents,
  // the author's key against its ID, and the signature, verified again so that a faulty
  // signature never leaves the node.
  const checked =
    bodyBytes.length > MAX_OP_BODY_BYTES || bytes.length > MAX_SIGNED_OP_BYTES
      ? refuse('op too large')
      : authoredOp(parsed.data, bodyBytes, sig, bytes);
  if (!checked.ok) {
    throw new ParleyError('BAD_REQUEST', `Not a valid control op: ${checked.reason}.`);
  }
  return checked.op;
}

/** Checks a SignedOp received from a peer or read from the store. Never throws. */
export function decodeSignedOp(bytes: Uint8Array): DecodeOpResult {
  try {
    return decodeUnsafe(bytes);
  } catch {
    // Every check below is written not to throw; this is the last line of defence.
    return refuse('malformed op');
  }
}

function decodeUnsafe(bytes: Uint8Array): DecodeOpResult {
  if (!(bytes instanceof Uint8Array)) return refuse('not bytes');
  if (bytes.length > MAX_SIGNED_OP_BYTES) return refuse('op too large');

  const outer = decodeCanonical(bytes, SignedOp);
  if (!outer.ok) return refuse(`signed op: ${outer.reason}`);
  const { body: bodyBytes, sig } = outer.value;
  const inner = decodeCanonical(bodyBytes, OpBody);
  if (!inner.ok) return refuse(`op body: ${inner.reason}`);
  const body = inner.value;

  // Never alias a frame buffer the caller may reuse.
  return authoredOp(body, bodyBytes, sig, new Uint8Array(bytes));
}

/**
 * The checks an op's schema cannot make, whichever way its parts came: parents, the author's
 * key against its ID, and the signature. `bytes` is the SignedOp as it is kept.
 */
function authoredOp(
  body: OpBodyValue,
  bodyBytes: Uint8Array,
  sig: Uint8Array,
  bytes: Uint8Array,
): DecodeOpResult {
  const parentProblem = parentsProblem(body);
  if (parentProblem !== undefined) return refuse(parentProblem);

  let authorKey: KeyObject;
  try {
    authorKey = importPublicKeySpki(body.authorKey);
  } catch {
    return refuse('author key is not a canonical P-256 key');
  }
  if (deviceIdForPublicKey(body.authorKey) !== body.author) {
    return refuse('author is not the device ID of the author key');
  }
  if (!verify(authorKey, SIGN_LABELS.controlOp, bodyBytes, sig)) return refuse('bad signature');
  return { ok: true, op: { hash: sha256Hex(bytes), bytes, body, authorKey } };
}

type Canonical<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Strict CBOR, then the schema, then the round trip: the bytes must be what we would write for
 * the parsed value. That refuses every alternative encoding (keys in another order, an integer
 * written as a float or with a longer head), which would otherwise give one op several hashes.
 */
function decodeCanonical<T>(
  bytes: Uint8Array,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): Canonical<T> {
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return { ok: false, reason: decoded.reason };
  const parsed = schema.safeParse(decoded.value);
  if (!parsed.success) return { ok: false, reason: 'does not match the schema' };
  if (!bytesEqual(encodeCbor(parsed.data), bytes)) {
    return { ok: false, reason: 'not in canonical encoding' };
  }
  return { ok: true, value: parsed.data };
}

/** `prev` is sorted and unique, empty exactly for `create` (§8.1). */
function parentsProblem(body: OpBodyValue): string | undefined {
  const isCreate = body.action.type === 'create';
  if (isCreate && body.prev.length > 0) return 'create must have no parents';
  if (!isCreate && body.prev.length === 0) return 'op has no parents';
  for (let i = 1; i < body.prev.length; i++) {
    if (body.prev[i - 1]! >= body.prev[i]!) return 'parents are not sorted and unique';
  }
  return undefined;
}

function refuse(reason: string): DecodeOpResult {
  return { ok: false, reason };
}
