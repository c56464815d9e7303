/**
 * The wire of the web GUI's WebSocket bridge (`parley serve --ui`): the one place where its
 * path, sub-protocols and frame shapes are written, for the server (main/core/api/
 * web-ui-server.ts) and the browser client (renderer/src/bridge/web-api.ts).
 *
 * Frames are JSON text. The client sends `{id, name, args}`; the server answers `{id, result}`
 * with the router's Result, and pushes `{event, payload}` for every event. A frame the server
 * cannot read is answered with `id: null` and a BAD_REQUEST result.
 *
 * The access token travels as a second WebSocket sub-protocol, `parley.token.<token>`, so that it
 * is checked at the HTTP upgrade, before any socket exists, and never appears in a URL that a
 * log, the history or a Referer could keep.
 */
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from './errors';

export const WEB_BRIDGE_PATH = '/api/v1/ws';
/** The sub-protocol the server selects; it names the frame format below. */
export const WEB_BRIDGE_PROTOCOL = 'parley.v1';
/** Prefix of the sub-protocol that carries the access token. */
export const WEB_BRIDGE_TOKEN_PREFIX = 'parley.token.';
/** The key of the token in the printed URL's fragment: `http://127.0.0.1:P/#token=...`. */
export const WEB_TOKEN_FRAGMENT_KEY = 'token';
/** Largest frame either side accepts, in bytes: commands and pages of history are small. */
export const WEB_BRIDGE_MAX_FRAME_BYTES = 1024 * 1024;

const CommandCall = z.object({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  name: z.string().max(200),
  args: z.unknown().optional(),
});

/** client → server */
export const WebRequestFrame = CommandCall.strict();
export type WebRequestFrame = z.infer<typeof WebRequestFrame>;

const ResultShape = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.custom<ErrorCode>(isErrorCode), message: z.string() }),
  }),
]);

/** server → client: the answer to one request (`id: null` for a frame that could not be read). */
export const WebResponseFrame = z.object({ id: z.number().int().nullable(), result: ResultShape });
/** server → client: one event, as the router emitted it. */
export const WebEventFrame = z.object({ event: z.string(), payload: z.unknown() });
export const WebServerFrame = z.union([WebResponseFrame, WebEventFrame]);
