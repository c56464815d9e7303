/**
 * The peer server's two endpoints and the body of a link request.
 *
 *   GET  /api/v1/link           WebSocket upgrade: the link itself (lower device ID dials)
 *   POST /api/v1/link-request   "please dial me": sent by the higher device ID, CBOR body
 *
 * What must stay true: the link-request body is decoded with the same plain-CBOR rules as
 * frames, and it is small (MAX_LINK_REQUEST_BYTES); everything about WHO asks comes from TLS,
 * never from the body.
 */
import { z } from 'zod';
import { decodeCbor, encodeCbor } from './cbor';
import { MAX_INSTANCE_ID_CHARS, PROTOCOL_VERSION } from './frames';

export const LINK_PATH = '/api/v1/link';
export const LINK_REQUEST_PATH = '/api/v1/link-request';
/** Largest link-request body, in bytes. */
export const MAX_LINK_REQUEST_BYTES = 1024;
export const CBOR_CONTENT_TYPE = 'application/cbor';

export const LinkRequestBody = z.object({
  v: z.number().int().min(1),
  /** The port the requester's peer server listens on: where to dial back. */
  port: z.number().int().min(1).max(65_535),
  /** The requester's instance ID: tells the receiver that a link it still holds is stale. */
  inst: z.string().min(1).max(MAX_INSTANCE_ID_CHARS),
});
export type LinkRequestBody = z.infer<typeof LinkRequestBody>;

export function encodeLinkRequest(body: Omit<LinkRequestBody, 'v'>): Uint8Array {
  return encodeCbor(LinkRequestBody.parse({ v: PROTOCOL_VERSION, ...body }));
}

export function decodeLinkRequest(
  bytes: Uint8Array,
): { ok: true; body: LinkRequestBody } | { ok: false; reason: string } {
  if (bytes.length > MAX_LINK_REQUEST_BYTES) return { ok: false, reason: 'body too large' };
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return decoded;
  const parsed = LinkRequestBody.safeParse(decoded.value);
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, reason: 'not a link request' };
}

/** The host part of a URL for an address: IPv6 literals go in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) as `10.0.0.1`. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}
