// A public room's password is checked by an admin with scrypt (up to 64 MiB each): however
// many device IDs ask, the admin runs at most PASSWORD_CHECKS_PER_MINUTE checks per room.
import { afterEach, expect, it } from 'vitest';
import { ParleyError } from '../../../shared/errors';
import { ROOM_LINK_MESSAGES as MSG } from '../../../shared/room-wire';
import { tempDirs } from '../testing/temp-dir';
import { testDevice } from './control-log.testing';
import { PASSWORD_CHECKS_PER_MINUTE } from './room-sync';
import { startLoneRoomService } from './testing/lone-room-service';
import { roomSyncRig } from './testing/room-sync-rig';

const dirs = tempDirs();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  dirs.cleanup();
});

const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ParleyError ? e.code : String(e)),
  );

it('runs at most PASSWORD_CHECKS_PER_MINUTE password checks a room, from new devices too', async () => {
  const admin = await startLoneRoomService(dirs);
  closers.push(() => admin.close());
  const rig = roomSyncRig(admin, closers);
  rig.start();
  const room = await admin.rooms.create({
    name: 'Lobby',
    visibility: 'public',
    password: 'right horse',
  });
  const ask = (password: string | null) => {
    const device = testDevice('Guesser');
    const body = { room: room.id, name: 'Guesser', password, publicKey: device.publicKeySpki };
    return codeOf(rig.answer(MSG.join, body, device.deviceId));
  };
  // No password given: refused without a check, and it spends nothing.
  expect(await ask(null)).toBe('WRONG_PASSWORD');
  for (let i = 0; i < PASSWORD_CHECKS_PER_MINUTE; i++)
    expect(await ask(`guess ${i}`)).toBe('WRONG_PASSWORD');
  expect(await ask('guess again')).toBe('RATE_LIMITED');
  // The right password waits too: the room's checks are spent for now.
  expect(await ask('right horse')).toBe('RATE_LIMITED');
  expect(admin.rooms.book.get(room.id)!.state.members.size).toBe(1);
});
