/**
 * The node's settings (shared/api.ts `Settings`), kept in the store's settings table: system
 * notifications on or off, and the discovery group and port for the next start. The table also
 * keeps the automatic rotation policy (`parley serve --rotate-after-…`), which the API does not
 * show yet.
 *
 * What must stay true:
 * - A stored value is read through the same schema a client's value is checked with; one that
 *   does not pass (written by hand, or by a future version) is ignored for the default and
 *   logged, never used.
 * - Discovery settings never change the running node: they apply at the next start, and
 *   `restartRequired` says when the stored ones differ from those in use.
 */
import { DiscoveryGroup, DiscoveryPort, type Settings } from '../../../shared/api';
import type { ParsedCommandArgs } from '../../../shared/api';
import { DEFAULT_GROUP, DEFAULT_PORT } from '../discovery';
import { ParleyError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import { DEFAULT_ROTATION, type RotationPolicy } from '../rooms/room-service';
import type { Store } from '../store/store';

/** The keys in the store's settings table. */
export const SETTING_KEYS = {
  notifications: 'notifications',
  discoveryGroup: 'discovery.group',
  discoveryPort: 'discovery.port',
  rotationMaxMessages: 'rotation.max-messages',
  rotationMaxAgeMs: 'rotation.max-age-ms',
} as const;

/** The discovery channel: where the node announces and listens. */
export interface DiscoveryChannel {
  group: string;
  port: number;
}

/** What the store holds, each value checked; undefined where nothing valid is stored. */
export interface StoredSettings {
  notifications: boolean | undefined;
  discoveryGroup: string | undefined;
  discoveryPort: number | undefined;
}

export async function readStoredSettings(store: Store, log: Logger): Promise<StoredSettings> {
  const [notifications, group, port] = await Promise.all([
    store.getSetting(SETTING_KEYS.notifications),
    store.getSetting(SETTING_KEYS.discoveryGroup),
    store.getSetting(SETTING_KEYS.discoveryPort),
  ]);
  const checked = <T>(
    key: string,
    raw: string | undefined,
    parse: (s: string) => T | undefined,
  ) => {
    if (raw === undefined) return undefined;
    const value = parse(raw);
    if (value === undefined) log.warn('settings.stored_value_ignored', { key });
    return value;
  };
  return {
    notifications: checked(SETTING_KEYS.notifications, notifications, (s) =>
      s === 'on' ? true : s === 'off' ? false : undefined,
    ),
    discoveryGroup: checked(SETTING_KEYS.discoveryGroup, group, (s) => {
      const r = DiscoveryGroup.safeParse(s);
      return r.success ? r.data : undefined;
    }),
    discoveryPort: checked(SETTING_KEYS.discoveryPort, port, (s) => {
      const r = DiscoveryPort.safeParse(/^\d+$/.test(s) ? Number(s) : NaN);
      return r.success ? r.data : undefined;
    }),
  };
}

/** The channel to use at start: the configured one (flags win), else the stored, else defaults. */
export function discoveryChannel(
  configured: Partial<DiscoveryChannel>,
  stored: StoredSettings,
): DiscoveryChannel {
  return {
    group: configured.group ?? stored.discoveryGroup ?? DEFAULT_GROUP,
    port: configured.port ?? stored.discoveryPort ?? DEFAULT_PORT,
  };
}

export interface NodeSettingsOptions {
  store: Store;
  logger: Logger;
  /** What the running node uses, decided at start. */
  inUse: DiscoveryChannel;
  emit(settings: Settings): void;
}

export function createNodeSettings(options: NodeSettingsOptions) {
  const { store, inUse } = options;

  async function get(): Promise<Settings> {
    const stored = await readStoredSettings(store, options.logger);
    // Nothing stored means nothing waits for a restart: the channel in use is shown.
    const next = discoveryChannel(
      {},
      {
        ...stored,
        discoveryGroup: stored.discoveryGroup ?? inUse.group,
        discoveryPort: stored.discoveryPort ?? inUse.port,
      },
    );
    return {
      notifications: stored.notifications ?? true,
      discoveryGroup: next.group,
      discoveryPort: next.port,
      restartRequired: next.group !== inUse.group || next.port !== inUse.port,
    };
  }

  async function update(args: ParsedCommandArgs<'settings.update'>): Promise<Settings> {
    if (args.notifications !== undefined)
      await store.setSetting(SETTING_KEYS.notifications, args.notifications ? 'on' : 'off');
    if (args.discoveryGroup !== undefined)
      await store.setSetting(SETTING_KEYS.discoveryGroup, args.discoveryGroup);
    if (args.discoveryPort !== undefined)
      await store.setSetting(SETTING_KEYS.discoveryPort, String(args.discoveryPort));
    const settings = await get();
    options.emit(settings);
    return settings;
  }

  return { get, update };
}

export type NodeSettings = ReturnType<typeof createNodeSettings>;

/**
 * The rotation policy of this start: each limit given (serve's flags) is used and kept for later
 * starts, so that whatever runs on this data folder next (the desktop app too) keeps to it;
 * a limit not given is the kept one, else DEFAULT_ROTATION's.
 */
export async function rotationPolicy(
  store: Store,
  given: Partial<RotationPolicy>,
  log: Logger,
): Promise<RotationPolicy> {
  const limit = async (key: string, value: number | undefined, fallback: number) => {
    if (value !== undefined) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new ParleyError('BAD_REQUEST', 'A rotation limit is a whole number, 0 or more.');
      await store.setSetting(key, String(value));
      return value;
    }
    const raw = await store.getSetting(key);
    if (raw === undefined) return fallback;
    if (/^\d{1,15}$/.test(raw)) return Number(raw);
    log.warn('settings.stored_value_ignored', { key });
    return fallback;
  };
  return {
    maxMessages: await limit(
      SETTING_KEYS.rotationMaxMessages,
      given.maxMessages,
      DEFAULT_ROTATION.maxMessages,
    ),
    maxAgeMs: await limit(SETTING_KEYS.rotationMaxAgeMs, given.maxAgeMs, DEFAULT_ROTATION.maxAgeMs),
  };
}
