/**
 * The web GUI end to end: three real headless nodes (`parley serve --ui`, discovery on
 * loopback) and one Chromium window per node, driven only by clicks and typing. Alice owns the
 * rooms; Bob and Carol are invited. The tests run in order, each building on the last, as one
 * afternoon of three colleagues would.
 *
 * Along the way every main view is scanned with axe (serious or critical violations fail the
 * run) and photographed to test-results/screenshots/ (docs/screenshots/ holds a chosen few).
 *
 * Needs the built renderer (out/renderer; `npm test` builds it first).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startLan, type Lan } from './web/lan-nodes';
import {
  closePanel,
  composer,
  confirm,
  createRoom,
  expectMessage,
  finishOnboarding,
  invite,
  memberRow,
  messageList,
  openPanel,
  openRoom,
  peerButton,
  roomButton,
  send,
} from './web/user-actions';
import { expectNoBlockingViolations, recordView, scanAccessibility } from './web/views';
import { openWindow, type NodeWindow } from './web/windows';

const RENDERER = path.resolve(import.meta.dirname, '..', 'out', 'renderer', 'index.html');

const ROOM = 'Team';
/** The first message of the day: what the search at the end must find again. */
const OLD_MESSAGE = 'Morning! The budget review moves to Thursday at ten.';

test.describe.configure({ mode: 'serial' });

let lan: Lan | undefined;
let alice: NodeWindow;
let bob: NodeWindow;
let carol: NodeWindow;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  expect(existsSync(RENDERER), `${RENDERER} is missing: run npm run build first`).toBe(true);
  lan = await startLan(['node-a', 'node-b', 'node-c']);
  const windows = await Promise.all(lan.nodes.map((node) => openWindow(browser, node)));
  [alice, bob, carol] = windows as [NodeWindow, NodeWindow, NodeWindow];
});

test.afterEach(async () => {
  const testInfo = test.info();
  // A failure in the window is often explained by the node behind it.
  if (lan && testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('node logs', { body: lan.logs(), contentType: 'text/plain' });
  }
});

test.afterAll(async () => {
  await Promise.all([alice, bob, carol].map((w) => w?.context.close()));
  await lan?.close();
});

test('onboarding: each user sees their device ID and picks a display name', async () => {
  const { page, node } = alice;
  await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toBeVisible();
  await expect(page.getByTestId('device-id')).toHaveText(node.deviceId);
  await recordView(page, 'onboarding', 'onboarding view');

  await finishOnboarding(alice.page, 'Alice');
  await finishOnboarding(bob.page, 'Bob');
  await finishOnboarding(carol.page, 'Carol');

  // The welcome is once per device: a reload goes straight to the app.
  await page.reload();
  await expect(page.getByText('Signed in as Alice')).toBeVisible();
});

test('users see each other online, by the names they picked', async () => {
  for (const [me, others] of [
    [alice, ['Bob', 'Carol']],
    [bob, ['Alice', 'Carol']],
    [carol, ['Alice', 'Bob']],
  ] as const) {
    for (const other of others) {
      await expect(peerButton(me.page, other)).toHaveAccessibleName(/online/);
    }
  }

  const { page } = alice;
  await peerButton(page, 'Bob').click();
  const peerView = page.getByRole('main', { name: 'Bob' });
  await expect(peerView.getByText('Online, connected')).toBeVisible();
  await expect(page.getByTestId('peer-device-id')).toHaveText(bob.node.deviceId);
  await expect(page.getByTestId('peer-fingerprint')).toHaveText(/^\d{5}( \d{5}){5}$/);
  await recordView(page, 'peer', 'peer view');
});

test('Alice creates a room, invites Bob and Carol, and they chat both ways', async () => {
  await createRoom(alice.page, { name: ROOM, topic: 'Plans for the week' });
  await expect(messageList(alice.page).getByText('No messages yet. Say hello!')).toBeVisible();
  await invite(alice.page, { name: 'Bob', shortId: bob.node.shortId });
  await invite(alice.page, { name: 'Carol', shortId: carol.node.shortId });

  for (const w of [bob, carol]) await openRoom(w.page, ROOM);

  await send(alice.page, OLD_MESSAGE);
  await expectMessage(bob.page, OLD_MESSAGE);
  await expectMessage(carol.page, OLD_MESSAGE);

  await send(bob.page, 'Thursday works for me.');
  await send(carol.page, 'Same here, see you then.');
  for (const w of [alice, bob, carol]) {
    await expectMessage(w.page, 'Thursday works for me.');
    await expectMessage(w.page, 'Same here, see you then.');
  }
  // Runs are labelled by sender: others by name, your own as "You".
  await expect(messageList(alice.page).getByText('Bob', { exact: true })).toBeVisible();
  await expect(messageList(bob.page).getByText('You', { exact: true })).toBeVisible();

  // Messages that arrive in the room the user is reading are read: no badge stays behind.
  await expect(roomButton(alice.page, ROOM)).not.toHaveAccessibleName(/unread/);
  await closePanel(alice.page, 'Members');
  await recordView(alice.page, 'room', 'room list and room view');
  const members = await openPanel(alice.page, 'Members');
  for (const name of ['Bob', 'Carol']) {
    await expect(memberRow(members, name).getByTestId('member-role')).toHaveText('Member');
  }
  await expect(memberRow(members, 'Alice').getByTestId('member-role')).toHaveText('Owner');
  await recordView(alice.page, 'members', 'members panel');
});

test('unread counts rise in a room that is not open, and clear when it is opened', async () => {
  const { page } = bob;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  const before = (await bob.notifications()).length;

  await send(alice.page, 'Slides are in the shared folder.');
  await send(alice.page, 'Please read them before Thursday.');

  await expect(roomButton(page, ROOM)).toHaveAccessibleName(/2 unread/);
  await expect(page).toHaveTitle('(2) Parley');
  await recordView(page, 'settings', 'settings view');

  await openRoom(page, ROOM);
  await expectMessage(page, 'Please read them before Thursday.');
  await expect(roomButton(page, ROOM)).not.toHaveAccessibleName(/unread/);
  await expect(page).toHaveTitle('Parley');

  // Notifications were raised while the room was not open: one per message, named by room.
  const raised = (await bob.notifications()).slice(before);
  expect(raised).toEqual([
    { title: ROOM, body: 'Alice: Slides are in the shared folder.' },
    { title: ROOM, body: 'Alice: Please read them before Thursday.' },
  ]);
});

test('a click on a notification opens its room', async () => {
  const { page } = bob;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  const before = (await bob.notifications()).length;
  await send(alice.page, 'One more thing: bring the printouts.');
  await expect.poll(async () => (await bob.notifications()).length).toBe(before + 1);

  expect(await bob.clickNewestNotification()).toBe(true);
  await expect(page.getByTestId('room-title')).toHaveText(`#${ROOM}`);
  await expectMessage(page, 'One more thing: bring the printouts.');
  await expect(page).toHaveTitle('Parley');
});

test('a message in the open room raises no notification', async () => {
  const before = (await bob.notifications()).length;
  await send(alice.page, 'Thanks both.');
  await expectMessage(bob.page, 'Thanks both.');
  expect((await bob.notifications()).length).toBe(before);
});

test('kick: Carol’s window shows she was removed, and she can no longer send', async () => {
  const members = await openPanel(alice.page, 'Members');
  await memberRow(members, 'Carol')
    .getByRole('button', { name: 'Remove Carol', exact: true })
    .click();
  await confirm(alice.page, 'Remove Carol?', 'Remove');
  await expect(memberRow(members, 'Carol')).toHaveCount(0);

  const { page } = carol;
  await expect(page.getByTestId('removed-notice')).toContainText(
    'You were removed from this room.',
  );
  await expect(composer(page)).toBeDisabled();
  await expect(composer(page)).toHaveAttribute(
    'placeholder',
    'You can no longer send messages here.',
  );
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await expect(roomButton(page, ROOM)).toHaveAccessibleName(/removed/);
  await recordView(page, 'removed', 'room view of a removed member');

  // What follows is sealed with a key Carol does not hold.
  await send(alice.page, 'Just the two of us now.');
  await expectMessage(bob.page, 'Just the two of us now.');
  await expect(messageList(page).getByText('Just the two of us now.')).toHaveCount(0);
});

test('renew master key: every member’s key panel shows the new key number', async () => {
  const keys = await openPanel(alice.page, 'Keys');
  const epoch = Number(await keys.getByTestId('current-epoch').textContent());
  expect(epoch).toBeGreaterThan(0);

  await keys.getByRole('button', { name: 'Renew master key' }).click();
  await confirm(alice.page, 'Renew the master key?', 'Renew key');
  await expect(keys.getByTestId('current-epoch')).toHaveText(String(epoch + 1));
  await expect(keys.getByTestId('rotation-history')).toContainText('Renewed by an admin');
  await expect(keys.getByText('Every member holds it.')).toBeVisible();

  const bobKeys = await openPanel(bob.page, 'Keys');
  await expect(bobKeys.getByTestId('current-epoch')).toHaveText(String(epoch + 1));
  await expect(bobKeys.getByTestId('rotation-history')).toContainText('by Alice');
  await recordView(alice.page, 'keys', 'keys panel');

  const settings = await openPanel(alice.page, 'Room settings');
  await expect(settings.getByLabel('Name', { exact: true })).toHaveValue(ROOM);
  await recordView(alice.page, 'room-settings', 'room settings panel');

  // The renewed key works both ways.
  await send(bob.page, 'New key, same room.');
  await expectMessage(alice.page, 'New key, same room.');
});

test('a public room with a password: a wrong password is refused, the right one lets in', async () => {
  await createRoom(alice.page, { name: 'Lobby', publicPassword: 'open sesame' });

  const { page } = carol;
  await page.getByTestId('browse-public-rooms').click();
  const lobby = page.getByTestId('public-room').filter({ hasText: 'Lobby' });
  // The list is asked for when the view opens; Refresh asks again until Alice's room is known.
  await expect(async () => {
    if ((await lobby.count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(lobby).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(lobby).toContainText('password needed');
  await recordView(page, 'public-rooms', 'public rooms view');

  await lobby.getByRole('button', { name: 'Join Lobby' }).click();
  const dialog = page.getByRole('dialog', { name: 'Join Lobby' });
  await dialog.getByLabel('Room password').fill('open says me');
  await dialog.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(dialog.getByRole('alert')).toHaveText(
    'That password is not right. Check it with a member of the room and try again.',
  );
  await scanAccessibility(page, 'join dialog with a wrong password');

  await dialog.getByLabel('Room password').fill('open sesame');
  await dialog.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('room-title')).toHaveText('#Lobby');

  await send(page, 'Carol here, got in.');
  await expectMessage(alice.page, 'Carol here, got in.');
});

test('search finds an old message', async () => {
  const { page } = bob;
  const search = await openPanel(page, 'Search');
  await search.getByRole('searchbox', { name: 'Search messages' }).fill('budget');
  await search.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
  await expect(search.getByText('1 found for “budget”.')).toBeVisible();
  const result = search.getByTestId('search-result');
  await expect(result).toHaveText(new RegExp(`^Alice.*${OLD_MESSAGE.replace(/[.]/g, '\\.')}`));
  await expect(result.locator('mark')).toHaveText('budget');
  await recordView(page, 'search', 'search panel');

  // "Show in conversation" puts the message in view, marked and focused.
  await result.getByRole('button', { name: 'Show in conversation' }).click();
  const shown = page.getByTestId('message-list').locator('.message.revealed');
  await expect(shown).toHaveText(OLD_MESSAGE);
  await expect(shown).toBeInViewport();
  await expect(shown).toBeFocused();
});

test('what is typed but not sent survives switching rooms and reloading the window', async () => {
  const { page } = bob;
  await openRoom(page, ROOM);
  const composer = page.getByTestId('composer-input');
  await composer.fill('Half a thought about the budget');
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await openRoom(page, ROOM);
  await expect(composer).toHaveValue('Half a thought about the budget');
  await page.reload();
  await openRoom(page, ROOM);
  await expect(composer).toHaveValue('Half a thought about the budget');
  await composer.fill('');
});

test('the new-room dialog is accessible', async () => {
  const { page } = alice;
  await page.getByRole('button', { name: 'New room' }).click();
  const dialog = page.getByRole('dialog', { name: 'New room' });
  await dialog.getByRole('radio', { name: /^Public/ }).check();
  await recordView(page, 'new-room', 'new-room dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('the window follows the system’s dark theme', async () => {
  const { page } = alice;
  await openRoom(page, ROOM);
  const background = () =>
    page.locator('html').evaluate((html) => {
      // Typed without the DOM library, like the rest of this suite's page functions.
      const win = globalThis as unknown as {
        getComputedStyle(el: unknown): { backgroundColor: string };
      };
      return win.getComputedStyle(html).backgroundColor;
    });
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(background).not.toBe(light);
  await openPanel(page, 'Members');
  await recordView(page, 'room-dark', 'room view with members, dark theme');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(background).toBe(light);
});

test('key renewal: a value out of range is refused in words; a change is kept after a reload', async () => {
  const { page } = alice;
  const openSettings = async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    return page.getByRole('region', { name: 'Room keys' });
  };
  let section = await openSettings();
  const messages = () => section.getByLabel('Renew each room’s key after this many messages');
  const days = () => section.getByLabel('Or after this many days');
  await expect(messages()).toHaveValue('1000');
  await expect(days()).toHaveValue('7');

  await days().fill('4000');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByRole('alert')).toHaveText(
    /^The number of days after which a room's key is renewed must be a whole number from 0 \(never\) to 3,650\.$/,
  );

  await messages().fill('250');
  await days().fill('3');
  await section.getByRole('button', { name: 'Save' }).click();
  await expect(section.getByTestId('key-renewal-saved')).toHaveText(/^Saved\./);
  await expect(section.getByRole('alert')).toHaveCount(0);

  await page.reload();
  section = await openSettings();
  await expect(messages()).toHaveValue('250');
  await expect(days()).toHaveValue('3');
});

test('a new name reaches the rooms: the member list and earlier messages show it', async () => {
  // Alice has the room open, its members shown, and Bob's messages on screen under his name.
  await openRoom(alice.page, ROOM);
  const members = await openPanel(alice.page, 'Members');
  await expect(memberRow(members, 'Bob')).toBeVisible();
  await expectMessage(alice.page, 'Thursday works for me.');

  const { page } = bob;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const nameInput = page.getByLabel('Display name');
  await nameInput.fill('Robert');
  await nameInput.press('Enter');
  await expect(page.getByText('Saved. Your contacts will see the new name.')).toBeVisible();

  // Alice does nothing: the rename arrives and her view follows.
  await expect(memberRow(members, 'Robert')).toBeVisible();
  await expect(memberRow(members, 'Bob')).toHaveCount(0);
  await expect(messageList(alice.page).getByText('Bob', { exact: true })).toHaveCount(0);
  await expect(messageList(alice.page).getByText('Robert', { exact: true }).first()).toBeVisible();
});

test('the main views have no serious or critical accessibility violations', () => {
  expectNoBlockingViolations();
});
