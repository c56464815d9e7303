// The `have` list of rooms.sync.ops (have-list.ts): the asker names at most SYNC_OPS_HAVE_MAX
// ops (each stands for its ancestors), so a log of any size fits in one frame; the answerer
// sends exactly what the asker lacks, as when every hash was named.
import { describe, expect, it } from 'vitest';
import { SYNC_OPS_HAVE_MAX } from '../../../shared/room-wire';
import { MAX_REQUEST_ID, encodeFrame } from '../net/frames';
import { opOnTop, testDevice, testLog, type TestLog } from './control-log.testing';
import { foldOps } from './fold';
import { haveList, opsNotIn } from './have-list';
import { updateAction } from './op-builder';
import type { DecodedOp } from './op-codec';

const [ann, bob] = ['Ann', 'Bob'].map(testDevice) as [
  ReturnType<typeof testDevice>,
  ReturnType<typeof testDevice>,
];

const byHash = (ops: readonly DecodedOp[]) => new Map(ops.map((op) => [op.hash, op]));
const hashes = (ops: readonly DecodedOp[]) => ops.map((op) => op.hash).sort();

/** Ann's room with Bob (an admin) and `n` renames on top. */
function longLog(n: number): TestLog {
  const log = testLog(ann);
  log.invite(ann, bob);
  log.must(ann, { type: 'set-role', member: bob.deviceId, role: 'admin' });
  for (let i = 0; i < n; i++) log.must(ann, updateAction({ topic: `t${i}` }));
  return log;
}

/** `ops` as a node holding them has them: keyed by hash, and folded. */
function held(roomId: string, ops: readonly DecodedOp[]) {
  const map = byHash(ops);
  return { ops: map, state: foldOps(roomId, ops) };
}

describe('rooms.sync.ops have list', () => {
  it('below the cap names every held op, and the answer is what the asker lacks', () => {
    const log = longLog(10);
    const asker = held(log.roomId, log.ops.slice(0, 8));
    const have = haveList(asker.ops, asker.state);
    expect(have.sort()).toEqual(hashes(log.ops.slice(0, 8)));
    expect(hashes(opsNotIn(byHash(log.ops), have))).toEqual(hashes(log.ops.slice(8)));
  });

  it('above the cap names the newest ops only, and the answer is still exact', () => {
    const log = longLog(40);
    const shared = log.ops.slice(0, 30);
    // The asker also wrote two ops the answerer has not seen (on its side of a split).
    const first = opOnTop(log.roomId, [shared.at(-1)!], bob, updateAction({ name: 'B1' }).action);
    const second = opOnTop(log.roomId, [first], bob, updateAction({ name: 'B2' }).action);
    const asker = held(log.roomId, [...shared, first, second]);
    const have = haveList(asker.ops, asker.state, 3);
    expect(have).toEqual([second.hash, first.hash, shared.at(-1)!.hash]);
    expect(hashes(opsNotIn(byHash(log.ops), have))).toEqual(hashes(log.ops.slice(30)));
  });

  it('above the cap names the tips first, so an old skipped op is not sent again', () => {
    const log = longLog(3);
    // Bob is no owner: the fold skips his promotion of himself, and nothing builds on it.
    expect(log.act(bob, { type: 'set-role', member: bob.deviceId, role: 'owner' })).not.toBeNull();
    const skipped = log.last();
    for (let i = 0; i < 20; i++) log.must(ann, updateAction({ topic: `u${i}` }));
    const asker = held(log.roomId, log.ops.slice(0, -4));
    const have = haveList(asker.ops, asker.state, 3);
    expect(have).toContain(skipped.hash);
    expect(hashes(opsNotIn(byHash(log.ops), have))).toEqual(hashes(log.ops.slice(-4)));
  });

  it('does not name an op whose parent is missing, so the parent is sent', () => {
    const log = longLog(5);
    const gapAt = 4;
    const asker = held(
      log.roomId,
      log.ops.filter((_, i) => i !== gapAt),
    );
    const have = haveList(asker.ops, asker.state);
    // Everything from the gap on waits for the missing op: none of it is named.
    expect(have.sort()).toEqual(hashes(log.ops.slice(0, gapAt)));
    expect(hashes(opsNotIn(byHash(log.ops), have))).toEqual(hashes(log.ops.slice(gapAt)));
  });

  it('fits the cap in one frame, where every hash of a 64,000-op log would not', () => {
    const hash = 'ab'.repeat(32);
    const request = (n: number) => ({
      t: 'req' as const,
      id: MAX_REQUEST_ID,
      type: 'rooms.sync.ops',
      body: { room: 'cd'.repeat(16), have: Array.from({ length: n }, () => hash) },
    });
    expect(() => encodeFrame(request(SYNC_OPS_HAVE_MAX))).not.toThrow();
    // What the asker did before: named every op. Past ~63,500 ops the request could not be
    // sent at all (BAD_REQUEST before anything left the node), and ops never synced again.
    expect(() => encodeFrame(request(64_000))).toThrow(/at most/);
  });
});
