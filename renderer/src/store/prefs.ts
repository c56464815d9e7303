/**
 * What the window itself remembers between starts (not the node): whether this device's user
 * went through onboarding. Kept in localStorage, keyed by device ID, so a new identity (a new
 * data folder) is welcomed again. Behind an interface so tests use memory.
 */
export interface Prefs {
  onboardedDevice(): string | null;
  setOnboardedDevice(deviceId: string): void;
}

const ONBOARDED_KEY = 'parley.onboardedDevice';

export function browserPrefs(): Prefs {
  const storage = typeof localStorage === 'undefined' ? null : localStorage;
  let fallback: string | null = null;
  return {
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
  return {
    onboardedDevice: () => value,
    setOnboardedDevice: (deviceId) => {
      value = deviceId;
    },
  };
}
