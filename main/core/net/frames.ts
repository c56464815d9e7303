/**
 * The frames of a peer link: one CBOR map per binary WebSocket message, told apart by `t`.
 *
 *   hello  {t: 'hello', v, id, inst, name, port}   first frame in both directions
 *   req    {t: 'req', id, type, body}              a request; answered by exactly one res
 *   res    {t: 'res', id, ok: true, body}          its answer
 *          {t: 'res', id, ok: false, error: {code, message}}
 *   push   {t: 'push', type, body}                 one-way
 *
 * What must stay true:
 * - Pure: no I/O. `decodeFrame` never throws; whatever a peer sends becomes a frame that passed
 *   its schema, or a reason. `body` is left `unknown`: the handler for its `type` validates it.
 * - `encodeFrame` validates what we send against the same schemas, so we never send a frame
 *   the peer would count as bad; it throws ParleyError BAD_REQUEST instead.
 * - Unknown fields are ignored (dropped), so a later version can add fields to a frame.
 */
import { z } from 'zod';
import { ParleyError } from '../../../shared/errors';
import { DisplayName } from '../../../shared/api';
import { decodeCbor, encodeCbor } from './cbor';

/** The protocol version in the hello. A peer with another version is refused (close 4001). */
export const PROTOCOL_VERSION = 1;
/** Largest WebSocket message, in bytes (4 MiB). Enforced by ws `maxPayload`: close 1009. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Longest request or push type, in characters. */
export const MAX_TYPE_CHARS = 64;
/** Longest error code in an error answer, in characters. */
export const MAX_ERROR_CODE_CHARS = 64;
/** Longest error message in an error answer, in characters; longer ones are cut when sent. */
export const MAX_ERROR_MESSAGE_CHARS = 500;
/** Longest instance ID in a hello, in characters. */
export const MAX_INSTANCE_ID_CHARS = 64;
/** Largest request ID (u32). */
export const MAX_REQUEST_ID = 0xffff_ffff;

/** A device ID in its canonical text form: 8 groups of 7 base32 characters. */
export const DeviceIdText = z.string().regex(/^[A-Z2-7]{7}(?:-[A-Z2-7]{7}){7}$/);

const FrameType = z
  .string()
  .max(MAX_TYPE_CHARS)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/);
const RequestId = z.number().int().min(0).max(MAX_REQUEST_ID);

export const HelloFrame = z.object({
  t: z.literal('hello'),
  /** Checked by the link, not here, so that a mismatch closes with a clear code. */
  v: z.number().int().min(1),
  /** The sender's device ID; must equal the one its TLS certificate hashes to. */
  id: DeviceIdText,
  /** Random per start of the sender's node: tells a restarted peer from a stale link. */
  inst: z.string().min(1).max(MAX_INSTANCE_ID_CHARS),
  name: DisplayName,
  /** The port the sender's peer server listens on. */
  port: z.number().int().min(1).max(65_535),
});
export type HelloFrame = z.infer<typeof HelloFrame>;

export const RequestFrame = z.object({
  t: z.literal('req'),
  id: RequestId,
  type: FrameType,
  body: z.unknown(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

const ResponseOk = z.object({
  t: z.literal('res'),
  id: RequestId,
  ok: z.literal(true),
  body: z.unknown(),
});
const ResponseError = z.object({
  t: z.literal('res'),
  id: RequestId,
  ok: z.literal(false),
  error: z.object({
    code: z.string().min(1).max(MAX_ERROR_CODE_CHARS),
    message: z.string().max(MAX_ERROR_MESSAGE_CHARS),
  }),
});
export const ResponseFrame = z.union([ResponseOk, ResponseError]);
export type ResponseFrame = z.infer<typeof ResponseFrame>;

export const PushFrame = z.object({
  t: z.literal('push'),
  type: FrameType,
  body: z.unknown(),
});
export type PushFrame = z.infer<typeof PushFrame>;

export type Frame = HelloFrame | RequestFrame | ResponseFrame | PushFrame;

const SCHEMAS: Record<Frame['t'], z.ZodType<Frame>> = {
  hello: HelloFrame,
  req: RequestFrame,
  res: ResponseFrame,
  push: PushFrame,
};

export type FrameDecodeResult = { ok: true; frame: Frame } | { ok: false; reason: string };

export function decodeFrame(bytes: Uint8Array): FrameDecodeResult {
  if (bytes.length > MAX_FRAME_BYTES) return { ok: false, reason: 'frame too large' };
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return decoded;
  const value = decoded.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'frame is not a map' };
  }
  const t = (value as { t?: unknown }).t;
  if (typeof t !== 'string' || !Object.hasOwn(SCHEMAS, t)) {
    return { ok: false, reason: 'unknown frame kind' };
  }
  const parsed = SCHEMAS[t as Frame['t']].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'frame';
    return { ok: false, reason: `invalid ${t} frame: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, frame: parsed.data };
}

/** Encodes a frame; throws ParleyError BAD_REQUEST if it is invalid, not plain data or too large. */
export function encodeFrame(frame: Frame): Uint8Array {
  const schema = SCHEMAS[frame.t] as z.ZodType<Frame> | undefined;
  const parsed = schema?.safeParse(frame);
  if (!parsed?.success) {
    const issue = parsed?.error.issues[0];
    throw new ParleyError(
      'BAD_REQUEST',
      `Invalid ${String(frame.t)} frame: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const bytes = encodeCbor(frame);
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new ParleyError(
      'BAD_REQUEST',
      `The frame is ${bytes.length} bytes; a peer accepts at most ${MAX_FRAME_BYTES}.`,
    );
  }
  return bytes;
}
