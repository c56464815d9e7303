/**
 * The Parley command line: `parley serve` runs a headless node, the other commands inspect or
 * talk to one. Data goes to standard output (JSON with --json), messages to standard error.
 * Exit codes: 0 success, 1 failure (with the reason in words), 2 a wrong command line.
 */
import { ParleyError } from '../../shared/errors';
import { PARLEY_VERSION } from '../../shared/version';
import { defaultDataDir } from '../core/fs/default-data-dir';
import { COMMON_OPTIONS, parseCommandArgs } from './args';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, processIo, UsageError, type CliIo } from './cli-io';
import { idCommand } from './commands/id';
import { serveCommand } from './commands/serve';

export const USAGE = `Usage: parley <command> [options]

Commands:
  serve        Run a headless Parley node until stopped (Ctrl+C)
  id           Print this node's device ID, fingerprint and display name

Options:
  --data-dir DIR   Data folder (default: $PARLEY_DATA_DIR, else ~/.local/share/parley)
  --name NAME      (serve) Display name to use and save
  --json           Print data as JSON
  -h, --help       Show this help
  --version        Print Parley's version`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseCommandArgs(rest, { ...COMMON_OPTIONS, name: { type: 'string' } });
        if (values.help) return help(io);
        return await serveCommand(io, {
          dataDir: values['data-dir'] ?? defaultDataDir(io.env),
          json: values.json,
          ...(values.name !== undefined ? { name: values.name } : {}),
        });
      }
      case 'id': {
        const { values } = parseCommandArgs(rest, COMMON_OPTIONS);
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
      io.err(`parley: ${err.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (err instanceof ParleyError) {
      io.err(`parley: ${err.message}`);
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
