/**
 * Run as a child process by latency-processes.ts: one node on its own, driven over the IPC
 * channel. `node --import tsx bench/latency-child.ts <data dir> <name> <group port>` starts a
 * node on that folder (peer server on 127.0.0.1, discovery pinned to 127.0.0.1 on that group
 * port, no local API), reports `ready`, then answers the parent's requests and reports every
 * `message.received` with the time it was emitted.
 *
 * The time is read in the event listener itself; the report goes out after the work in hand
 * (setImmediate), so that writing to the IPC channel never delays the push that follows the
 * sender's own event, nor a receiver's next step.
 */
import { call } from '../main/core/rooms/testing/rooms-test-kit';
import { tempDirs } from '../main/core/testing/temp-dir';
import { peersOf } from '../main/core/testing/test-nodes';
import { waitFor } from '../main/core/testing/wait';
import { lanNodes } from './lan-nodes';
import type { ChildAnswer, ChildEvent, ChildRequest, SendTimes } from './latency-processes';
import { createRoomWith, seesMembers } from './room-fixture';

/** Ten nodes starting at once on two cores find and link each other slowly. */
const LINK_TIMEOUT_MS = 120_000;

const [dataDir, name, groupPort] = process.argv.slice(2);
if (!dataDir || !name || !groupPort)
  throw new Error('usage: latency-child.ts <data dir> <name> <group port>');
const send = (m: ChildEvent | ChildAnswer): void => {
  process.send!(m);
};

// The parent owns the data folder; these temporary folders stay unused.
const dirs = tempDirs();
const set = lanNodes(dirs, Number(groupPort));
const node = set.node(name, dataDir);
await node.start();

let reports: ChildEvent[] = [];
node.api.on('message.received', (m) => {
  const at = process.hrtime.bigint().toString();
  if (reports.length === 0)
    setImmediate(() => {
      for (const r of reports.splice(0)) send(r);
    });
  reports.push({ event: 'received', text: m.text, mine: m.mine, at });
});

let closing: Promise<void> | undefined;
const close = (): Promise<void> =>
  (closing ??= set.closeAll().finally(() => {
    dirs.cleanup();
    reports = [];
  }));
// The parent is gone: nothing will ask for a close.
process.on('disconnect', () => void close().then(() => process.exit(0)));

async function answer(req: ChildRequest): Promise<unknown> {
  switch (req.op) {
    case 'linked':
      return waitFor(
        async () => (await peersOf(node)).filter((p) => p.linked).length >= req.peers,
        `${name} linked with ${req.peers} peers`,
        LINK_TIMEOUT_MS,
      );
    case 'create-room':
      return createRoomWith(node, req.invite, req.name);
    case 'sees-members':
      return seesMembers(node, req.roomId, req.members);
    case 'send': {
      const start = process.hrtime.bigint();
      await call(node, 'messages.send', { roomId: req.roomId, text: req.text });
      const answered = process.hrtime.bigint();
      return { start: start.toString(), answered: answered.toString() } satisfies SendTimes;
    }
    case 'close':
      return close();
  }
}

process.on('message', (raw) => {
  const req = raw as ChildRequest;
  answer(req).then(
    (value) => {
      send({ id: req.id, ok: true, value: value ?? null });
      if (req.op === 'close') process.disconnect();
    },
    (err: unknown) => send({ id: req.id, ok: false, error: String(err) }),
  );
});
send({ event: 'ready', deviceId: node.identity.deviceId });
