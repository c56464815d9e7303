/**
 * `parley settings` prints the running node's settings; `parley settings set` changes them:
 *   --notifications on|off, --discovery-group 239.x.y.z, --discovery-port P
 * All through the running node's local API, which checks the values (and says what is wrong in
 * words). Discovery changes apply when the node next starts, unless serve's flags name others.
 */
import type { Settings } from '../../../shared/api';
import { printJson, UsageError, type CliIo } from '../cli-io';
import { connectLocalApi } from '../local-api-client';

export const SETTINGS_OPTIONS = {
  notifications: { type: 'string' },
  'discovery-group': { type: 'string' },
  'discovery-port': { type: 'string' },
} as const;

export interface SettingsCommandOptions {
  dataDir: string;
  json: boolean;
  positionals: string[];
  notifications?: string | undefined;
  discoveryGroup?: string | undefined;
  discoveryPort?: string | undefined;
}

export async function settingsCommand(io: CliIo, opts: SettingsCommandOptions): Promise<number> {
  const [action, ...extra] = opts.positionals;
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  if (action !== undefined && action !== 'set')
    throw new UsageError(`Unknown settings action: ${action} (use set)`);
  const changes = changesFrom(opts);
  if (action === undefined && Object.keys(changes).length > 0)
    throw new UsageError('To change settings, use: parley settings set --notifications on|off …');
  if (action === 'set' && Object.keys(changes).length === 0)
    throw new UsageError(
      'parley settings set needs --notifications, --discovery-group or --discovery-port',
    );
  const api = connectLocalApi(opts.dataDir);
  const settings =
    action === 'set'
      ? await api.invoke('settings.update', changes)
      : await api.invoke('settings.get', {});
  if (opts.json) printJson(io, settings);
  else io.out(formatSettings(settings));
  return 0;
}

function changesFrom(opts: SettingsCommandOptions): {
  notifications?: boolean;
  discoveryGroup?: string;
  discoveryPort?: number;
} {
  const { notifications, discoveryGroup, discoveryPort } = opts;
  if (notifications !== undefined && notifications !== 'on' && notifications !== 'off')
    throw new UsageError(`--notifications takes on or off, not "${notifications}"`);
  if (discoveryPort !== undefined && !/^\d+$/.test(discoveryPort))
    throw new UsageError(`--discovery-port takes a whole number, not "${discoveryPort}"`);
  return {
    ...(notifications !== undefined ? { notifications: notifications === 'on' } : {}),
    ...(discoveryGroup !== undefined ? { discoveryGroup } : {}),
    ...(discoveryPort !== undefined ? { discoveryPort: Number(discoveryPort) } : {}),
  };
}

export function formatSettings(s: Settings): string {
  return [
    `Notifications:   ${s.notifications ? 'on' : 'off'}`,
    `Discovery group: ${s.discoveryGroup}`,
    `Discovery port:  ${s.discoveryPort} (UDP)`,
    ...(s.restartRequired
      ? ['The discovery settings apply when Parley next starts (without --discovery-* flags).']
      : []),
  ].join('\n');
}
