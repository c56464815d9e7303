/**
 * The node's settings (shared/api.ts `Settings`), kept in the store's settings table: system
 * notifications on or off, the discovery group and port for the next start, and the automatic
 * rotation policy (`rotateAfterMessages`, `rotateAfterDays`).
 *
 * What must stay true:
 * - A stored value is read through the same bounds a client's value is checked with; one that
 *   does not pass (written by hand, or by a future version) is ignored for the default and
 *   logged, never used.
 * - Discovery settings never change the running node: they apply at the next start, and
 *   `restartRequired` says when the stored ones differ from those in use.
 * - The rotation policy applies at once (the room service judges every room by the new one)
 *   and is kept for later starts. A start given limits (`parley serve --rotate-after-…`) uses
 *   them and keeps them in place of the stored ones; a later settings.update wins over them
 *   from then on. So the last one set wins, whichever way it was set.
 */
import {
  DAY_MS,
  DiscoveryGroup,
  DiscoveryPort,
  ROTATE_AFTER_DAYS_MAX,
  ROTATE_AFTER_MESSAGES_MAX,
  type Settings,
} from '../../../shared/api';
import type { ParsedCommandArgs } from '../../../shared/api';
import { DEFAULT_GROUP, DEFAULT_PORT } from '../discovery';
import { ParleyError } from '../../../shared/errors';
import type { Logger } from '../log/logger';
import { DEFAULT_ROTATION, type RotationPolicy } from '../rooms/room-service';
import type { Store } from '../store/store';
import { groupThousands } from '../../../shared/group-thousands';

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

/** The running node's automatic rotation policy (the room service's). */
export interface RotationControl {
  current(): RotationPolicy;
  apply(policy: RotationPolicy): void;
}

export interface NodeSettingsOptions {
  store: Store;
  logger: Logger;
  /** What the running node uses, decided at start. */
  inUse: DiscoveryChannel;
  rotation: RotationControl;
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
      ...rotationSettings(options.rotation.current()),
    };
  }

  async function update(args: ParsedCommandArgs<'settings.update'>): Promise<Settings> {
    if (args.notifications !== undefined)
      await store.setSetting(SETTING_KEYS.notifications, args.notifications ? 'on' : 'off');
    if (args.discoveryGroup !== undefined)
      await store.setSetting(SETTING_KEYS.discoveryGroup, args.discoveryGroup);
    if (args.discoveryPort !== undefined)
      await store.setSetting(SETTING_KEYS.discoveryPort, String(args.discoveryPort));
    if (args.rotateAfterMessages !== undefined || args.rotateAfterDays !== undefined) {
      // Kept first: a policy in use is one a restart keeps to.
      const given = {
        ...(args.rotateAfterMessages !== undefined
          ? { maxMessages: args.rotateAfterMessages }
          : {}),
        ...(args.rotateAfterDays !== undefined ? { maxAgeMs: args.rotateAfterDays * DAY_MS } : {}),
      };
      options.rotation.apply(await rotationPolicy(store, given, options.logger));
    }
    const settings = await get();
    options.emit(settings);
    return settings;
  }

  return { get, update };
}

export type NodeSettings = ReturnType<typeof createNodeSettings>;

/** The policy as Settings shows it: the age limit in days. */
const rotationSettings = (policy: RotationPolicy) => ({
  rotateAfterMessages: policy.maxMessages,
  rotateAfterDays: policy.maxAgeMs / DAY_MS,
});

/** The bounds of each limit, the API's (shared/api.ts RotateAfterMessages, RotateAfterDays). */
const ROTATION_LIMIT_MAX = {
  maxMessages: ROTATE_AFTER_MESSAGES_MAX,
  maxAgeMs: ROTATE_AFTER_DAYS_MAX * DAY_MS,
} as const;

const ROTATION_KEYS = {
  maxMessages: SETTING_KEYS.rotationMaxMessages,
  maxAgeMs: SETTING_KEYS.rotationMaxAgeMs,
} as const;

/**
 * The rotation policy after `given`: each limit given (serve's flags at a start, settings.update
 * while running) is kept for later starts, so that whatever runs on this data folder next (the
 * desktop app too) keeps to it; a limit not given is the kept one, else DEFAULT_ROTATION's.
 */
export async function rotationPolicy(
  store: Store,
  given: Partial<RotationPolicy>,
  log: Logger,
): Promise<RotationPolicy> {
  const inBounds = (limit: keyof RotationPolicy, value: number): boolean =>
    Number.isSafeInteger(value) && value >= 0 && value <= ROTATION_LIMIT_MAX[limit];
  // Every given limit is checked before any is kept: a refused call changes nothing.
  for (const limit of ['maxMessages', 'maxAgeMs'] as const) {
    const value = given[limit];
    if (value !== undefined && !inBounds(limit, value))
      throw new ParleyError(
        'BAD_REQUEST',
        `A key renewal limit is a whole number from 0 (never) to ${groupThousands(ROTATE_AFTER_MESSAGES_MAX)} messages or ${groupThousands(ROTATE_AFTER_DAYS_MAX)} days.`,
      );
  }
  const limit = async (name: keyof RotationPolicy): Promise<number> => {
    const key = ROTATION_KEYS[name];
    const value = given[name];
    if (value !== undefined) {
      await store.setSetting(key, String(value));
      return value;
    }
    const raw = await store.getSetting(key);
    if (raw === undefined) return DEFAULT_ROTATION[name];
    if (/^\d{1,15}$/.test(raw) && inBounds(name, Number(raw))) return Number(raw);
    log.warn('settings.stored_value_ignored', { key });
    return DEFAULT_ROTATION[name];
  };
  return { maxMessages: await limit('maxMessages'), maxAgeMs: await limit('maxAgeMs') };
}
