// The room commands of the CLI against two real `parley serve` nodes on loopback (no discovery:
// they meet through a manual peer), with --json output as documented in the README.
import { afterAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../core/testing/temp-dir';
import { waitFor } from '../core/testing/wait';
import { killAllCliChildren, runCli, startCli } from './testing/run-cli';

const dirs = tempDirs();
afterAll(() => {
  killAllCliChildren();
  dirs.cleanup();
});

async function json(args: string[]): Promise<unknown> {
  const r = await runCli([...args, '--json']);
  if (r.code !== 0) throw new Error(`parley ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('parley rooms, invite, send, history, kick, rotate, leave', () => {
  it('runs a room from the command line', { timeout: 120_000 }, async () => {
    const [dirA, dirB] = [dirs.make(), dirs.make()];
    const flags = ['--port', '0', '--no-discovery', '--json'];
    const a = startCli(['serve', '--data-dir', dirA, '--name', 'Alice', ...flags]);
    const b = startCli(['serve', '--data-dir', dirB, '--name', 'Bob', ...flags]);
    const [readyA, readyB] = [JSON.parse(await a.firstLine), JSON.parse(await b.firstLine)];
    await json(['peers', 'add', `127.0.0.1:${readyB.peerPort}`, '--data-dir', dirA]);
    await waitFor(async () => {
      const rows = (await json(['peers', '--data-dir', dirA])) as Array<{ online: boolean }>;
      return rows.some((r) => r.online);
    }, 'Alice to reach Bob');

    const created = await runCli(['rooms', 'create', 'Ops', '--data-dir', dirA]);
    expect(created.code).toBe(0);
    const roomId = created.stdout.trim();
    expect(roomId).toMatch(/^[0-9a-f]{32}$/);
    expect(await json(['invite', 'Ops', 'Bob', '--data-dir', dirA])).toMatchObject({
      memberCount: 2,
    });
    await waitFor(async () => {
      const rooms = (await json(['rooms', '--data-dir', dirB])) as Array<{ id: string }>;
      return rooms.some((r) => r.id === roomId);
    }, 'Bob to get the room');

    await json(['send', roomId, 'hello from the shell', '--data-dir', dirB]);
    const history = await waitFor(async () => {
      const rows = (await json(['history', 'Ops', '--data-dir', dirA])) as Array<{
        id: string;
        sender: string;
        text: string;
        ts: number;
      }>;
      return rows.length === 1 ? rows : false;
    }, 'the message at Alice');
    expect(history[0]).toMatchObject({ sender: readyB.deviceId, text: 'hello from the shell' });
    expect(typeof history[0]!.ts).toBe('number');
    const plain = await runCli(['history', 'Ops', '--data-dir', dirA]);
    expect(plain.stdout).toMatch(/Bob: hello from the shell/);
    // Bob's own copy says who holds it: Ann, the one other member.
    await waitFor(
      async () =>
        (await runCli(['history', 'Ops', '--data-dir', dirB])).stdout.includes(
          'Bob: hello from the shell  (delivered)',
        ),
      "Bob's history to say the message was delivered",
    );

    expect(await json(['rotate', 'Ops', '--data-dir', dirA])).toMatchObject({ epoch: 1 });
    const demoted = await runCli(['rotate', 'Ops', '--data-dir', dirB]);
    expect(demoted.code).toBe(1);
    expect(demoted.stderr).toContain('owner or an admin');
    expect(await json(['promote', 'Ops', 'Bob', '--data-dir', dirA])).toMatchObject({
      members: expect.arrayContaining([expect.objectContaining({ name: 'Bob', role: 'admin' })]),
    });
    await json(['demote', 'Ops', 'Bob', '--data-dir', dirA]);
    const kicked = (await json(['kick', 'Ops', 'Bob', '--data-dir', dirA])) as {
      memberCount: number;
      epoch: number;
    };
    expect(kicked).toMatchObject({ memberCount: 1, epoch: 2 });
    await json(['ban', 'Ops', readyB.deviceId, '--data-dir', dirA]);
    await json(['unban', 'Ops', readyB.deviceId.slice(0, 7), '--data-dir', dirA]);
    const table = await runCli(['rooms', '--data-dir', dirA]);
    expect(table.stdout).toMatch(/Ops\s+[0-9a-f]{32}\s+private\s+1\/100\s+owner/);

    const left = await runCli(['leave', 'Ops', '--data-dir', dirA]);
    expect(left.code).toBe(1);
    expect(left.stderr).toContain('promote someone first');
    // A member leaves; the command names the room it left.
    const side = (await runCli(['rooms', 'create', 'Side', '--data-dir', dirA])).stdout.trim();
    await json(['invite', side, 'Bob', '--data-dir', dirA]);
    await waitFor(async () => {
      const rooms = (await json(['rooms', '--data-dir', dirB])) as Array<{ id: string }>;
      return rooms.some((r) => r.id === side);
    }, 'Bob to get the second room');
    await json(['send', side, 'before you go', '--data-dir', dirA]);
    await waitFor(
      async () =>
        /Side\s.*\smember\s+1 unread/.test((await runCli(['rooms', '--data-dir', dirB])).stdout),
      'Bob to have one unread message in Side',
    );
    const bobLeft = await runCli(['leave', side, '--data-dir', dirB]);
    expect(bobLeft.code).toBe(0);
    expect(bobLeft.stdout.trim()).toBe('Left Side.');
    // A room Bob left is listed as left, and what he had not read no longer counts.
    const bobsRooms = (await json(['rooms', '--data-dir', dirB])) as Array<{ id: string }>;
    expect(bobsRooms.find((r) => r.id === side)).toMatchObject({
      myRole: null,
      departure: 'left',
      unread: 0,
    });
    const bobsTable = (await runCli(['rooms', '--data-dir', dirB])).stdout;
    const sideRow = bobsTable.split('\n').find((line) => line.startsWith('Side'));
    expect(sideRow).toMatch(/\sleft\s*$/);
    expect(sideRow).not.toContain('unread');
    expect(readyA.deviceId).not.toBe(readyB.deviceId);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect((await a.result).code).toBe(0);
    expect((await b.result).code).toBe(0);
  });

  it.each([
    [['rooms', 'frob']],
    [['rooms', 'create']],
    [['send', 'room-only']],
    [['kick', 'a', 'b', 'c']],
    [['history', 'r', '--limit', 'x']],
  ])('%j is a usage error', async (args) => {
    const r = await runCli([...args, '--data-dir', dirs.make()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: parley');
  });
});
