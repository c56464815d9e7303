/**
 * A room member without a node: an identity and a bare link manager, which a real node invites
 * like any peer (it answers `rooms.identity` with its key), which reads its epoch key out of
 * the room's log, and which then pushes envelopes it sealed beforehand. It stands for members
 * on other machines: the node under test does all the receiving work, the pusher next to none.
 */
import type { Identity } from '../main/core/identity/identity';
import { loadOrCreateIdentity } from '../main/core/identity/identity';
import { plainKeyProtector } from '../main/core/identity/key-protector';
import { sealMessage, type SealedMessage } from '../main/core/messages/envelope-codec';
import type { Link } from '../main/core/net';
import { LOOPBACK, NodePool } from '../main/core/net/testing/net-test-kit';
import type { ParleyNode } from '../main/core/node';
import { currentEpoch, decodeSignedOp, foldOps, openSealedKey } from '../main/core/rooms';
import type { DecodedOp } from '../main/core/rooms/op-codec';
import { call } from '../main/core/rooms/testing/rooms-test-kit';
import type { TempDirs } from '../main/core/testing/temp-dir';
import { waitFor } from '../main/core/testing/wait';
import { ROOM_LINK_MESSAGES as MSG, SyncOpsResponse } from '../shared/room-wire';

/** The epoch a member sends in: its ID and key, and the Lamport time to send above. */
export interface SendingKey {
  roomId: string;
  epochId: string;
  key: Uint8Array;
  lamport: number;
}

export interface BareMember {
  identity: Identity;
  /** Links to a running node (whichever side dials) and resolves with the link once it is up. */
  linkTo(node: ParleyNode): Promise<Link>;
  /** Is invited by `admin` (linked) into the room, then unseals the room's current key. */
  joinVia(admin: ParleyNode, link: Link, roomId: string): Promise<SendingKey>;
  close(): Promise<void>;
}

export async function bareMember(dirs: TempDirs): Promise<BareMember> {
  const identity = await loadOrCreateIdentity(dirs.make('parley-bench-'), plainKeyProtector);
  const pool = new NodePool();
  const me = await pool.start(identity);
  // How a node that met us only by link learns our key before inviting us.
  me.manager.handle('rooms.identity', () => ({ publicKey: identity.publicKeySpki }));
  return {
    identity,
    async linkTo(node) {
      const deviceId = node.identity.deviceId;
      me.manager.want({ deviceId, address: LOOPBACK, port: node.peerPort });
      return waitFor(() => me.manager.link(deviceId), 'a link from the bare member to a node');
    },
    async joinVia(admin, link, roomId) {
      await call(admin, 'rooms.invite', { roomId, deviceId: identity.deviceId });
      const ops: DecodedOp[] = [];
      for (;;) {
        const have = ops.map((op) => op.hash);
        const answer = SyncOpsResponse.parse(
          await link.request(MSG.syncOps, { room: roomId, have }),
        );
        for (const bytes of answer.ops) {
          const r = decodeSignedOp(bytes);
          if (r.ok) ops.push(r.op);
        }
        if (!answer.more || answer.ops.length === 0) break;
      }
      const state = foldOps(roomId, ops);
      const epoch = currentEpoch(state);
      const sealed = epoch?.sealed.get(identity.deviceId);
      const key = epoch && sealed && openSealedKey(roomId, epoch.id, sealed, identity);
      if (!epoch || !key) throw new Error('the bare member got no key for the room');
      return { roomId, epochId: epoch.id, key, lamport: state.lamport };
    },
    close: () => pool.closeAll(),
  };
}

/**
 * `count` envelopes from `sender` under `key`, each a step up in Lamport time and chained to
 * the one before (`prev`): what a member sending that many messages one after another would
 * push. They follow `after`, the sender's last message (seq 1.. when there is none).
 */
export function sealMany(
  sender: Identity,
  key: SendingKey,
  count: number,
  text: (i: number) => string,
  after?: { seq: number; id: string },
): SealedMessage[] {
  const now = Date.now();
  const out: SealedMessage[] = [];
  let last = after;
  for (let i = 0; i < count; i++) {
    const seq = (last?.seq ?? 0) + 1;
    const sealed = sealMessage({
      roomId: key.roomId,
      epochId: key.epochId,
      epochKey: key.key,
      sender,
      seq,
      prev: last?.id,
      lamport: key.lamport + seq,
      ts: now,
      body: { text: text(i) },
    });
    out.push(sealed);
    last = { seq, id: sealed.id };
  }
  return out;
}
