/**
 * `parley settings` prints the running node's settings; `parley settings set` changes them:
 *   --notifications on|off, --discovery-group 239.x.y.z, --discovery-port P,
 *   --rotate-after-messages N, --rotate-after-days D
 * All through the running node's local API, which checks the values (and says what is wrong in
 * words). Discovery changes apply when the node next starts, unless serve's flags name others;
 * the rotation policy applies at once and is kept (serve's --rotate-after-… flags, when given
 * at a start, replace it then).
 */
import type { CommandArgs, Settings } from '../../../shared/api';
import { printJson, UsageError, type CliIo } from '../cli-io';
import { connectLocalApi } from '../local-api-client';
import type { CommandForms } from '../args';
import { groupThousands } from '../../../shared/group-thousands';

/** The options of `parley settings` and `parley settings set` besides the common ones. */
export const SETTINGS_COMMAND_OPTIONS = {
  settings: {},
  'settings set': {
    notifications: { type: 'string' },
    'discovery-group': { type: 'string' },
    'discovery-port': { type: 'string' },
    'rotate-after-messages': { type: 'string' },
    'rotate-after-days': { type: 'string' },
  },
} as const satisfies CommandForms;

export interface SettingsCommandOptions {
  dataDir: string;
  json: boolean;
  positionals: string[];
  notifications?: string | undefined;
  discoveryGroup?: string | undefined;
  discoveryPort?: string | undefined;
  rotateAfterMessages?: string | undefined;
  rotateAfterDays?: string | undefined;
}

export async function settingsCommand(io: CliIo, opts: SettingsCommandOptions): Promise<number> {
  const [action, ...extra] = opts.positionals;
  if (extra.length) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  if (action !== undefined && action !== 'set')
    throw new UsageError(`Unknown settings action: ${action} (use set)`);
  const changes = changesFrom(opts);
  if (action === 'set' && Object.keys(changes).length === 0)
    throw new UsageError(
      'parley settings set needs --notifications, --discovery-group, --discovery-port, ' +
        '--rotate-after-messages or --rotate-after-days',
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

/** A whole-number option, or undefined; the node checks its range (and says it in words). */
function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number, not "${value}"`);
  return Number(value);
}

function changesFrom(opts: SettingsCommandOptions): CommandArgs<'settings.update'> {
  const { notifications, discoveryGroup } = opts;
  if (notifications !== undefined && notifications !== 'on' && notifications !== 'off')
    throw new UsageError(`--notifications takes on or off, not "${notifications}"`);
  const discoveryPort = wholeNumber(opts.discoveryPort, '--discovery-port');
  const rotateAfterMessages = wholeNumber(opts.rotateAfterMessages, '--rotate-after-messages');
  const rotateAfterDays = wholeNumber(opts.rotateAfterDays, '--rotate-after-days');
  return {
    ...(notifications !== undefined ? { notifications: notifications === 'on' } : {}),
    ...(discoveryGroup !== undefined ? { discoveryGroup } : {}),
    ...(discoveryPort !== undefined ? { discoveryPort } : {}),
    ...(rotateAfterMessages !== undefined ? { rotateAfterMessages } : {}),
    ...(rotateAfterDays !== undefined ? { rotateAfterDays } : {}),
  };
}

/** "after 1,000 messages", "never by count". */
const renewalLimit = (n: number, unit: 'message' | 'day', never: string): string =>
  n === 0 ? never : `after ${groupThousands(n)} ${unit}${n === 1 ? '' : 's'}`;

export function formatSettings(s: Settings): string {
  return [
    `Notifications:   ${s.notifications ? 'on' : 'off'}`,
    `Discovery group: ${s.discoveryGroup}`,
    `Discovery port:  ${s.discoveryPort} (UDP)`,
    `Key renewal:     ${renewalLimit(s.rotateAfterMessages, 'message', 'never by count')}, ` +
      `${renewalLimit(s.rotateAfterDays, 'day', 'never by age')} (rooms you administer)`,
    ...(s.restartRequired
      ? ['The discovery settings apply when Parley next starts (without --discovery-* flags).']
      : []),
  ].join('\n');
}
