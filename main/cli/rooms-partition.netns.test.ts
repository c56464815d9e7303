// A room split by a pulled cable, on four hosts of a test LAN (network namespaces on a bridge,
// real multicast, one `parley serve` per host, the CLI run in the host's namespace). Ann owns
// the room, Cat is its admin. Cat's cable is pulled; while the room is split, Ann kicks Dan and
// Ann and Ben chat on one side, Cat kicks Ben and writes on the other. Once the cable is back,
// every node converges (PROTOCOL.md §8.2, §8.3, §9):
// - Ann and Cat hold the same control state: both kicks apply (Ann is owner, Cat an admin
//   removing a plain member), so the members are Ann (owner) and Cat (admin), nobody is banned,
//   and the epochs are the same IDs in the same order. The two kick epochs were sealed to
//   different views (Ann's to Ben, Cat's to Dan), so the state asked for a repair rotation: the
//   epochs after them have reason 'repair', and Ann and Cat, and only they, hold the current one.
// - Ann and Cat hold the same messages: everything sent before the split, Ann's and Cat's
//   messages from the split, and none of Ben's from the split. Cat's kick recorded as Ben's
//   cut-off the last message of his Cat had seen, i.e. the last one before the split, and an
//   envelope past a departed member's cut-off is refused by everyone, and deleted where it was
//   already stored (Ann had it). Ben is not a holder of the epoch started by Ann's kick either
//   when Cat's kick sorts first; either way his split messages go.
// - Ben and Dan, who are out, learn it: a departed member is given the log up to its departure
//   (§10), here both Lamport-equal kicks, so each sees the members Ann and Cat, the first three
//   epochs and not the repair one. Ben keeps what he read while he was a member (up to Ann's
//   split messages) and loses his own split messages too; Dan, out since Ann's kick, keeps what
//   was sent before the split. Ben can no longer send.
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageInfo, RoomDetails, RoomSummary } from '../../shared/api';
import { tempDirs } from '../core/testing/temp-dir';
import {
  createTestLan,
  netnsUnavailableReason,
  removeStaleLans,
  type TestLan,
} from '../core/testing/netns';
import { waitFor } from '../core/testing/wait';
import { expectToSettle, historyOf, type Expectation } from '../core/rooms/testing/rooms-test-kit';
import { parleyJson, parleyOnLan, serveOnLan, stopLanNodes, type LanNode } from './testing/lan-cli';

const skip = netnsUnavailableReason();
const ANNOUNCE_MS = 500;
/** Messages each node sends before the split, and each sender sends during it. */
const PER_SENDER = 2;
const dirs = tempDirs();
let lan: TestLan | undefined;
const nodes: LanNode[] = [];

afterAll(async () => {
  await stopLanNodes(nodes);
  lan?.destroy();
  dirs.cleanup();
});

/** The part of a room's details every node must agree on (not online flags or unread counts). */
function controlOf(d: RoomDetails) {
  return {
    name: d.name,
    visibility: d.visibility,
    capacity: d.capacity,
    memberCount: d.memberCount,
    members: d.members
      .map((m) => ({ deviceId: m.deviceId, name: m.name, role: m.role }))
      .sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1)),
    banned: d.banned.map((b) => b.deviceId),
    epochs: d.epochs.map((e) => ({
      id: e.id,
      index: e.index,
      author: e.author,
      reason: e.reason,
      holders: e.holders,
    })),
  };
}

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const idsOf = (messages: MessageInfo[]): string[] => sorted(messages.map((m) => m.id));

describe.skipIf(skip !== undefined)(
  `a room split by a pulled cable on four hosts${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it(
      'converges after the split: both kicks, a repair rotation, the same messages',
      { timeout: 120_000 },
      async () => {
        removeStaleLans();
        lan = createTestLan(4);
        const theLan = lan;
        nodes.push(
          ...(await Promise.all(
            ['Ann', 'Ben', 'Cat', 'Dan'].map((name, i) =>
              serveOnLan(theLan, theLan.hosts[i]!, {
                name,
                dataDir: dirs.make(),
                announceIntervalMs: ANNOUNCE_MS,
              }),
            ),
          )),
        );
        const [ann, ben, cat, dan] = nodes as [LanNode, LanNode, LanNode, LanNode];
        const linked = async (a: LanNode, b: LanNode): Promise<boolean> =>
          (await a.api.invoke('peers.list', {})).some((p) => p.deviceId === b.deviceId && p.linked);
        for (const a of nodes)
          for (const b of nodes)
            if (a !== b) await waitFor(() => linked(a, b), `${a.name} linked to ${b.name}`);

        // The room: Ann creates it, invites the others, makes Cat an admin.
        const created = await parleyOnLan(theLan, ann.host, [
          'rooms',
          'create',
          'Split',
          '--data-dir',
          ann.dataDir,
        ]);
        expect(created.code).toBe(0);
        const roomId = created.stdout.trim();
        for (const n of [ben, cat, dan])
          await parleyJson(theLan, ann, ['invite', roomId, n.deviceId]);
        await parleyJson(theLan, ann, ['promote', roomId, cat.deviceId]);
        const details = (n: LanNode): Promise<RoomDetails> => n.api.invoke('rooms.get', { roomId });
        for (const n of nodes)
          await waitFor(async () => {
            const d = await details(n).catch(() => undefined);
            return d?.members.find((m) => m.deviceId === cat.deviceId)?.role === 'admin';
          }, `${n.name} to see Cat made admin`);

        const send = async (n: LanNode, count: number, tag: string): Promise<string[]> => {
          const ids: string[] = [];
          for (let i = 0; i < count; i++)
            ids.push(
              (await parleyJson<MessageInfo>(theLan, n, ['send', roomId, `${n.name} ${tag} ${i}`]))
                .id,
            );
          return ids;
        };
        const history = async (n: LanNode): Promise<string[]> =>
          idsOf(await historyOf(n.api, roomId));
        const holds = (n: LanNode, ids: string[], what: string) =>
          waitFor(async () => {
            const have = new Set(await history(n));
            return ids.every((id) => have.has(id));
          }, `${n.name} to hold ${what}`);

        const before = (await Promise.all(nodes.map((n) => send(n, PER_SENDER, 'before')))).flat();
        // Every kick's cut-off must count every message sent before the split.
        for (const n of nodes) await holds(n, before, 'the messages from before the split');

        // The split: Cat alone on one side.
        theLan.unplug(cat.host);
        for (const n of [ann, ben, dan]) {
          await waitFor(async () => !(await linked(n, cat)), `${n.name} to lose Cat`);
          await waitFor(async () => !(await linked(cat, n)), `Cat to lose ${n.name}`);
        }

        // Ann's side: Dan is kicked, then Ann and Ben write under the new epoch.
        await parleyJson(theLan, ann, ['kick', roomId, dan.deviceId]);
        for (const n of [ben, dan])
          await waitFor(
            async () => !(await details(n)).members.some((m) => m.deviceId === dan.deviceId),
            `${n.name} to see Dan kicked`,
          );
        const [annSplit, benSplit] = await Promise.all(
          [ann, ben].map((n) => send(n, PER_SENDER, 'during')),
        );
        await holds(ann, benSplit!, "Ben's messages from the split");
        await holds(ben, annSplit!, "Ann's messages from the split");

        // Cat's side: Ben is kicked, Cat writes.
        await parleyJson(theLan, cat, ['kick', roomId, ben.deviceId]);
        const catSplit = await send(cat, PER_SENDER, 'during');
        const catAlone = await details(cat);
        expect(sorted(catAlone.members.map((m) => m.deviceId))).toEqual(
          sorted([ann.deviceId, cat.deviceId, dan.deviceId]),
        );
        expect(catAlone.epochs.map((e) => e.reason)).toEqual(['create', 'kick']);
        // The split is real: nothing from the other side reached Cat.
        expect(await history(cat)).toEqual(sorted([...before, ...catSplit]));

        // Heal.
        theLan.plug(cat.host);

        const remaining = sorted([ann.deviceId, cat.deviceId]);
        const snapshot = async () =>
          Promise.all(
            nodes.map(async (n) => ({
              node: n,
              control: controlOf(await details(n)),
              ids: await history(n),
            })),
          );
        const expectations = (s: Awaited<ReturnType<typeof snapshot>>): Expectation[] => {
          const [a, b, c, d] = s as [(typeof s)[0], (typeof s)[0], (typeof s)[0], (typeof s)[0]];
          const epochs = a.control.epochs;
          const departedView = {
            ...a.control,
            epochs: epochs.slice(0, 3),
          };
          return [
            ["Ann's and Cat's control state", c.control, a.control],
            [
              'the members and roles',
              a.control.members.map((m) => [m.deviceId, m.role]),
              [
                [ann.deviceId, 'owner'],
                [cat.deviceId, 'admin'],
              ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
            ],
            ['the banned', a.control.banned, []],
            [
              'the epochs up to the kicks',
              [epochs[0]?.reason, sorted(epochs.slice(1, 3).map((e) => e.reason))],
              ['create', ['kick', 'kick']],
            ],
            [
              'who made the kick epochs',
              sorted(epochs.slice(1, 3).map((e) => e.author)),
              sorted([ann.deviceId, cat.deviceId]),
            ],
            [
              'a repair rotation after the kicks',
              epochs.length > 3 && epochs.slice(3).every((e) => e.reason === 'repair'),
              true,
            ],
            ['the holders of the current epoch', epochs[epochs.length - 1]?.holders, remaining],
            ["Ann's messages", a.ids, sorted([...before, ...annSplit!, ...catSplit])],
            ["Cat's messages", c.ids, a.ids],
            ["Ben's control state (departed)", b.control, departedView],
            ["Dan's control state (departed)", d.control, departedView],
            ["Ben's messages", b.ids, sorted([...before, ...annSplit!])],
            ["Dan's messages", d.ids, sorted(before)],
          ];
        };
        await expectToSettle(snapshot, expectations, 'the room after the split', 90_000);

        // The room list agrees, from the CLI on each host.
        const listed = await Promise.all(
          nodes.map(async (n) =>
            (await parleyJson<RoomSummary[]>(theLan, n, ['rooms'])).find((r) => r.id === roomId),
          ),
        );
        expect(listed.map((r) => [r?.memberCount, r?.myRole])).toEqual([
          [2, 'owner'],
          [2, null],
          [2, 'admin'],
          [2, null],
        ]);
        expect(listed[0]!.epoch).toBe(listed[2]!.epoch);
        const annNow = await details(ann);
        expect(annNow.members.every((m) => m.hasCurrentKey)).toBe(true);
        // Ben is out: the node refuses to send for him.
        const refused = await parleyOnLan(theLan, ben.host, [
          'send',
          roomId,
          'still here?',
          '--data-dir',
          ben.dataDir,
        ]);
        expect(refused.code).toBe(1);
      },
    );
  },
);
