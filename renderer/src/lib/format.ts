/**
 * Words and dates as the window shows them: times of day, day headings, "last seen", the
 * reasons for a key rotation, roles. Pure functions of their input (and `now`), for tests.
 */
import type { KeyEpochInfo, RoomRole } from '../../../shared/api';

const DAY_MS = 24 * 60 * 60 * 1000;

export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** A local calendar day as a key: the same for every moment of that day. */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** "Today", "Yesterday", or the date in words. */
export function dayLabel(ms: number, now = Date.now()): string {
  if (dayKey(ms) === dayKey(now)) return 'Today';
  if (dayKey(ms) === dayKey(now - DAY_MS)) return 'Yesterday';
  return new Date(ms).toLocaleDateString(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "just now", "5 minutes ago", "3 hours ago", or a date. */
export function lastSeen(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return dateTime(ms);
}

const ROTATION_REASONS: Record<KeyEpochInfo['reason'], string> = {
  create: 'Room created',
  kick: 'A member was removed',
  ban: 'A member was banned',
  manual: 'Renewed by an admin',
  auto: 'Renewed automatically (after many messages or days)',
  departure: 'A member left',
  repair: 'Repaired after a network split',
};

export function rotationReason(reason: KeyEpochInfo['reason']): string {
  return ROTATION_REASONS[reason];
}

const ROLE_LABELS: Record<RoomRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

export function roleLabel(role: RoomRole): string {
  return ROLE_LABELS[role];
}

export function isAdminRole(role: RoomRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
