/**
 * What the window itself remembers between starts (not the node): whether this device's user
 * went through onboarding (keyed by device ID, so a new identity, a new data folder, is
 * welcomed again), and the unsent text of each room's composer, so that closing the window or
 * switching the PC off mid-message loses nothing typed. Kept in localStorage; behind an
 * interface so tests use memory.
 */
export interface Prefs {
  onboardedDevice(): string | null;
  setOnboardedDevice(deviceId: string): void;
  /** The room's unsent composer text ('' when none). */
  draft(roomId: string): string;
  /** Keeps (or, with '', forgets) the room's unsent composer text. */
  setDraft(roomId: string, text: string): void;
}

const ONBOARDED_KEY = 'parley.onboardedDevice';
const DRAFT_KEY_PREFIX = 'parley.draft.';

export function browserPrefs(): Prefs {
  const storage = typeof localStorage === 'undefined' ? null : localStorage;
  let fallback: string | null = null;
  const drafts = new Map<string, string>();
  return {
    draft: (roomId) => {
      try {
        return storage?.getItem(DRAFT_KEY_PREFIX + roomId) ?? drafts.get(roomId) ?? '';
      } catch {
        return drafts.get(roomId) ?? '';
      }
    },
    setDraft: (roomId, text) => {
      if (text) drafts.set(roomId, text);
      else drafts.delete(roomId);
      try {
        if (text) storage?.setItem(DRAFT_KEY_PREFIX + roomId, text);
        else storage?.removeItem(DRAFT_KEY_PREFIX + roomId);
      } catch {
        // Storage refused: the draft lives while the window does.
      }
    },
    onboardedDevice: () => {
      try {
        return storage ? storage.getItem(ONBOARDED_KEY) : fallback;
      } catch {
        return fallback;
      }
    },
    setOnboardedDevice: (deviceId) => {
      fallback = deviceId;
      try {
        storage?.setItem(ONBOARDED_KEY, deviceId);
      } catch {
        // Storage refused (private mode, quota): onboarding shows again next start, no harm.
      }
    },
  };
}

export function memoryPrefs(onboarded: string | null = null): Prefs {
  let value = onboarded;
  const drafts = new Map<string, string>();
  return {
    draft: (roomId) => drafts.get(roomId) ?? '',
    setDraft: (roomId, text) => {
      if (text) drafts.set(roomId, text);
      else drafts.delete(roomId);
    },
    onboardedDevice: () => value,
    setOnboardedDevice: (deviceId) => {
      value = deviceId;
    },
  };
}
