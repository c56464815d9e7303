/**
 * What a user does in the Parley window, as clicks and typing, found by the roles, labels and
 * words the user sees (test IDs only where the words are not unique). Each action waits for
 * what the user would wait for before going on (the room opened, the dialog closed).
 */
import { expect, type Locator, type Page } from '@playwright/test';

/** The sidebar's button for a room (its accessible name starts with the room's name). */
export function roomButton(page: Page, room: string): Locator {
  return page
    .getByTestId('room-list')
    .getByRole('button', { name: new RegExp(`^#?\\s*${escape(room)}(,|$|\\s)`) });
}

/** The sidebar's button for a peer. */
export function peerButton(page: Page, name: string): Locator {
  return page
    .getByTestId('peer-list')
    .getByRole('button', { name: new RegExp(`^${escape(name)}\\s*,`) });
}

export function composer(page: Page): Locator {
  return page.getByTestId('composer-input');
}

export function messageList(page: Page): Locator {
  return page.getByRole('log', { name: 'Messages' });
}

/** Onboarding: types a display name, saves it, and goes on into the app. */
export async function finishOnboarding(page: Page, name: string): Promise<void> {
  const nameInput = page.getByLabel('Display name');
  await nameInput.fill(name);
  await nameInput.press('Enter');
  await expect(page.getByText('Saved. Your contacts will see the new name.')).toBeVisible();
  await page.getByRole('button', { name: 'Start using Parley' }).click();
  await expect(page.getByText(`Signed in as ${name}`)).toBeVisible();
}

export interface NewRoom {
  name: string;
  topic?: string;
  /** Makes the room public, with this password (empty: public without a password). */
  publicPassword?: string;
}

/** "New room": fills the dialog and waits until the new room is open. */
export async function createRoom(page: Page, room: NewRoom): Promise<void> {
  await page.getByRole('button', { name: 'New room' }).click();
  const dialog = page.getByRole('dialog', { name: 'New room' });
  await dialog.getByLabel('Name', { exact: true }).fill(room.name);
  if (room.topic) await dialog.getByLabel('Topic').fill(room.topic);
  if (room.publicPassword !== undefined) {
    await dialog.getByRole('radio', { name: /^Public/ }).check();
    if (room.publicPassword) await dialog.getByLabel('Password').fill(room.publicPassword);
  }
  await dialog.getByRole('button', { name: 'Create room' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('room-title')).toHaveText(`#${room.name}`);
}

/** Opens a room from the sidebar and waits until its view shows. */
export async function openRoom(page: Page, room: string): Promise<void> {
  await roomButton(page, room).click();
  await expect(page.getByTestId('room-title')).toHaveText(`#${room}`);
}

export type PanelName = 'Search' | 'Members' | 'Keys' | 'Room settings';

/** Opens one of the open room's side panels (leaves it open when it already is). */
export async function openPanel(page: Page, panel: PanelName): Promise<Locator> {
  const toggle = page.getByRole('toolbar', { name: 'Room tools' }).getByRole('button', {
    name: panel,
    exact: true,
  });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  const region = page.getByRole('complementary', { name: panel });
  await expect(region).toBeVisible();
  return region;
}

/** Closes the open side panel with its Close button. */
export async function closePanel(page: Page, panel: PanelName): Promise<void> {
  const region = page.getByRole('complementary', { name: panel });
  await region.getByRole('button', { name: `Close ${panel.toLowerCase()}` }).click();
  await expect(region).toBeHidden();
}

/** Members panel → "Invite a peer" → picks the peer by the name and short ID shown → Invite. */
export async function invite(page: Page, peer: { name: string; shortId: string }): Promise<void> {
  const members = await openPanel(page, 'Members');
  await members.getByRole('button', { name: 'Invite a peer' }).click();
  const dialog = page.getByRole('dialog', { name: /^Invite to / });
  await dialog.getByLabel('Peer').selectOption({ label: `${peer.name} (${peer.shortId})` });
  await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(memberRow(members, peer.name)).toBeVisible();
}

/** A member's row in the members panel. */
export function memberRow(membersPanel: Locator, name: string): Locator {
  return membersPanel
    .getByRole('listitem')
    .filter({ has: membersPanel.page().getByText(new RegExp(`^${escape(name)}( \\(you\\))?$`)) });
}

/** Types a message in the open room and sends it with Enter; waits until it is stored. */
export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect(messageList(page).getByTestId('message').filter({ hasText: text })).toBeVisible();
}

/** Waits until the open room shows a message with this text. */
export async function expectMessage(page: Page, text: string): Promise<void> {
  await expect(messageList(page).getByTestId('message').filter({ hasText: text })).toBeVisible();
}

/** Answers a confirmation dialog with its confirm button. */
export async function confirm(page: Page, title: string | RegExp, button: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await expect(dialog).toBeHidden();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
