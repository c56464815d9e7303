/**
 * Command-line parsing on node:util parseArgs in strict mode: an unknown flag, a missing value
 * or a stray argument is a UsageError (exit 2), never silently ignored.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-io';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  maxPositionals = 0,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, '.'));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`Unexpected argument: ${parsed.positionals[maxPositionals]}`);
  }
  return parsed;
}
