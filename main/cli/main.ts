/**
 * The Parley command line: `parley serve` runs a headless node, the other commands inspect or
 * talk to one. Data goes to standard output (JSON with --json), messages to standard error.
 * Exit codes: 0 success, 1 failure (with the reason in words), 2 a wrong command line.
 */
import { ParleyError } from '../../shared/errors';
import { PARLEY_VERSION } from '../../shared/version';
import { defaultDataDir } from '../core/fs/default-data-dir';
import { parseCommandArgs, type CommandForms } from './args';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, processIo, UsageError, type CliIo } from './cli-io';
import { idCommand } from './commands/id';
import { serveCommand, SERVE_OPTIONS, serveOptionsFrom } from './commands/serve';
import { peersCommand } from './commands/peers';
import { ROOM_COMMAND_OPTIONS, roomCommand, type RoomCommand } from './commands/rooms';
import { SETTINGS_COMMAND_OPTIONS, settingsCommand } from './commands/settings';
import { visible } from './visible-text';

export const USAGE = `Usage: parley <command> [options]

Commands:
  serve                 Run a headless Parley node until stopped (Ctrl+C)
  id                    Print this node's device ID, fingerprint and display name
  peers                 List the peers of the running node
  peers add HOST:PORT   Add a peer by address (where multicast does not reach)
  peers remove HOST:PORT
  rooms                 List your rooms
  rooms create NAME     Create a room and print its ID
                        [--topic T] [--public] [--password P] [--capacity N]
  invite ROOM PEER      Add a peer to a room (as an owner or admin)
  join ROOM             Join a public room that a peer on the LAN lists [--password P]
  send ROOM TEXT        Send a message
  history ROOM          Print a room's messages [--limit N]
  kick ROOM PEER        Remove a member (a new room key is made without them)
  ban ROOM PEER         Remove a member and keep them out
  unban ROOM PEER
  promote ROOM PEER     Make a member an admin
  demote ROOM PEER      Make an admin a member
  rotate ROOM           Renew the room's master key
  leave ROOM            Leave a room
  settings              Print the node's settings
  settings set          Change them: [--notifications on|off] [--discovery-group G]
                        [--discovery-port P] (discovery: from the next start)
                        [--rotate-after-messages N] [--rotate-after-days D] (renew
                        each room's key after N messages or D days, 0 = never; at once)

  ROOM is a room ID, the start of one, or its name; PEER is a device ID, the start of
  one, or a name.

Options:
  --data-dir DIR        Data folder (default: $PARLEY_DATA_DIR, else ~/.local/share/parley)
  --json                Print data as JSON
  -h, --help            Show this help
  --version             Print Parley's version

Options of serve:
  --name NAME                  Display name to use and save
  --port P                     Peer server TCP port (default 47778; 0 = any free port)
  --discovery-interface ADDR   IPv4 address of an interface for LAN discovery; repeatable
                               (default: every non-internal interface)
  --discovery-group G          Multicast group (default: the stored setting, else
                               239.255.77.77; the flag wins over the setting)
  --discovery-port P           Discovery UDP port (default: the stored setting, else
                               47777; the flag wins over the setting)
  --announce-interval MS       Re-announce every MS milliseconds (default 5000)
  --no-discovery               No LAN discovery (manual peers only)
  --ui                         Serve the web GUI on 127.0.0.1 and print its address
  --ui-port P                  Web GUI TCP port (default 47780; 0 = any free port)
  --mongodb-uri URI            Keep rooms, messages and keys in MongoDB instead of SQLite in
                               the data folder (default: $PARLEY_MONGODB_URI, else SQLite;
                               the variable keeps a password out of the process list)
  --mongodb-database NAME      Database to use (default: parley_ and the start of the
                               device ID, so that nodes sharing a server stay apart)
  --mongodb-timeout MS         How long the start waits to reach the server before failing
                               (default 5000; calls after the start wait up to 30 s, as
                               the driver does, so that writes outlast an election)
  --rotate-after-messages N    Renew the key of a room this node administers once its
                               current key has N messages (default: the kept setting, else
                               1000; 0 = never; kept for later starts and the desktop app,
                               until changed in Settings or by parley settings set)
  --rotate-after-days D        ... or once the current key is D days old (default: the kept
                               setting, else 7; 0 = never; kept likewise)`;

/**
 * What each command takes besides --data-dir, --json and --help: the one list the command
 * line is checked against (args.ts), so that an option of another command is refused.
 */
export const COMMAND_FORMS = {
  serve: SERVE_OPTIONS,
  id: {},
  peers: {},
  ...ROOM_COMMAND_OPTIONS,
  ...SETTINGS_COMMAND_OPTIONS,
} as const satisfies CommandForms;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseCommandArgs(rest, command, COMMAND_FORMS);
        if (values.help) return help(io);
        return await serveCommand(io, serveOptionsFrom(values, defaultDataDir(io.env), io.env));
      }
      case 'peers': {
        const { values, positionals } = parseCommandArgs(rest, command, COMMAND_FORMS, 2);
        if (values.help) return help(io);
        return await peersCommand(io, {
          dataDir: values['data-dir'] ?? defaultDataDir(io.env),
          json: values.json,
          positionals,
        });
      }
      case 'rooms':
      case 'invite':
      case 'join':
      case 'send':
      case 'history':
      case 'kick':
      case 'ban':
      case 'unban':
      case 'promote':
      case 'demote':
      case 'rotate':
      case 'leave': {
        const { values, positionals } = parseCommandArgs(rest, command, COMMAND_FORMS, 2);
        if (values.help) return help(io);
        return await roomCommand(io, command as RoomCommand, {
          dataDir: values['data-dir'] ?? defaultDataDir(io.env),
          json: values.json,
          positionals,
          password: values.password,
          topic: values.topic,
          public: values.public,
          capacity: values.capacity,
          limit: values.limit,
        });
      }
      case 'settings': {
        const { values, positionals } = parseCommandArgs(rest, command, COMMAND_FORMS, 2);
        if (values.help) return help(io);
        return await settingsCommand(io, {
          dataDir: values['data-dir'] ?? defaultDataDir(io.env),
          json: values.json,
          positionals,
          notifications: values.notifications,
          discoveryGroup: values['discovery-group'],
          discoveryPort: values['discovery-port'],
          rotateAfterMessages: values['rotate-after-messages'],
          rotateAfterDays: values['rotate-after-days'],
        });
      }
      case 'id': {
        const { values } = parseCommandArgs(rest, command, COMMAND_FORMS);
        if (values.help) return help(io);
        return await idCommand(io, {
          dataDir: values['data-dir'] ?? defaultDataDir(io.env),
          json: values.json,
        });
      }
      case '--version':
      case 'version':
        io.out(PARLEY_VERSION);
        return EXIT_OK;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        return help(io);
      default:
        throw new UsageError(`Unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`parley: ${visible(err.message)}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (err instanceof ParleyError) {
      // The message may be a peer's words (an admin refusing a join): shown, never obeyed.
      io.err(`parley: ${visible(err.message)}`);
      return EXIT_FAILED;
    }
    io.err(`parley: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return EXIT_FAILED;
  }
}

function help(io: CliIo): number {
  io.out(USAGE);
  return EXIT_OK;
}
