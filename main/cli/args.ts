/**
 * Command-line parsing on node:util parseArgs in strict mode: an unknown flag, a missing value
 * or a stray argument is a UsageError (exit 2), never silently ignored.
 *
 * What must stay true: a command takes exactly the options declared for it (plus
 * COMMON_OPTIONS). An option that another command takes (`invite … --capacity 5`) is refused
 * like a misspelt one, naming the option and the command, before anything runs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-io';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * The options of each form of each command besides COMMON_OPTIONS, keyed by the form as users
 * type it: `invite`, `rooms` (its list) and `rooms create` (an action: a command's first
 * argument). An option means the same in every form that takes it.
 */
export type CommandForms = Record<string, CommandOptions>;

export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies CommandOptions;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

/** Every option of every form in F, with COMMON_OPTIONS: what the values are typed by. */
type EveryOption<F extends CommandForms> = typeof COMMON_OPTIONS & UnionToIntersection<F[keyof F]>;

/**
 * Parses the arguments after `command` (the first word of the command line). Its form is
 * `command` or, when `forms` has it, `command` and its first positional (`rooms create`);
 * an option that form does not take is a UsageError. The values are typed by the options of
 * every form, so a caller reads the ones of its own form; the others are never set.
 */
export function parseCommandArgs<F extends CommandForms>(
  argv: string[],
  command: string,
  forms: F,
  maxPositionals = 0,
): { form: string } & ReturnType<
  typeof parseArgs<{
    args: string[];
    options: EveryOption<F>;
    strict: true;
    allowPositionals: true;
  }>
> {
  const everyOption = Object.assign({}, COMMON_OPTIONS, ...Object.values(forms)) as EveryOption<F>;
  // A first pass that refuses nothing, to learn the positionals (so the form) and every option
  // given; the strict pass after it checks the values.
  const { tokens } = parseArgs({
    args: argv,
    options: everyOption,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const firstPositional = tokens.find((t) => t.kind === 'positional')?.value;
  const action = `${command} ${firstPositional}`;
  const form = firstPositional !== undefined && Object.hasOwn(forms, action) ? action : command;
  const own = { ...COMMON_OPTIONS, ...forms[form] };
  for (const token of tokens) {
    if (token.kind === 'option' && !Object.hasOwn(own, token.name)) {
      throw new UsageError(notAnOptionOf(token.rawName, token.name, form, forms));
    }
  }

  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: everyOption, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, '.'));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`Unexpected argument: ${parsed.positionals[maxPositionals]}`);
  }
  return { form, ...parsed };
}

/** "--capacity is not an option of parley invite (it goes with parley rooms create)". */
function notAnOptionOf(rawName: string, name: string, form: string, forms: CommandForms): string {
  const takers = Object.keys(forms).filter((f) => Object.hasOwn(forms[f]!, name));
  const hint = takers.length
    ? ` (it goes with ${takers.map((f) => `parley ${f}`).join(', ')})`
    : '';
  return `${rawName} is not an option of parley ${form}${hint}`;
}
