import { describe, expect, it } from 'vitest';
import { parseCommandArgs, type CommandForms } from './args';
import { UsageError } from './cli-io';

const FORMS = {
  invite: {},
  join: { password: { type: 'string' } },
  rooms: {},
  'rooms create': {
    password: { type: 'string' },
    capacity: { type: 'string' },
    public: { type: 'boolean', default: false },
  },
} as const satisfies CommandForms;

/** The message of the UsageError that parsing `argv` as `command` throws. */
function refusal(command: string, argv: string[]): string {
  try {
    parseCommandArgs(argv, command, FORMS, 2);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).message;
  }
  throw new Error(`parley ${command} ${argv.join(' ')} was accepted`);
}

describe('parseCommandArgs', () => {
  it('takes a form’s own options and the common ones, anywhere on the line', () => {
    const join = parseCommandArgs(
      ['--data-dir', '/d', 'Lobby', '--password', 's', '--json'],
      'join',
      FORMS,
      2,
    );
    expect(join.form).toBe('join');
    expect(join.positionals).toEqual(['Lobby']);
    expect(join.values).toMatchObject({ 'data-dir': '/d', password: 's', json: true });

    const create = parseCommandArgs(
      ['--capacity', '5', 'create', '--public', 'Team', '-h'],
      'rooms',
      FORMS,
      2,
    );
    expect(create.form).toBe('rooms create');
    expect(create.positionals).toEqual(['create', 'Team']);
    expect(create.values).toMatchObject({ capacity: '5', public: true, help: true });
  });

  it('refuses an option of another command, naming it, the command and where it goes', () => {
    expect(refusal('invite', ['Team', 'Bob', '--capacity', '5'])).toBe(
      '--capacity is not an option of parley invite (it goes with parley rooms create)',
    );
    expect(refusal('invite', ['Team', 'Bob', '--capacity=5'])).toMatch(/^--capacity is not/);
    expect(refusal('rooms', ['--password', 'x'])).toBe(
      '--password is not an option of parley rooms (it goes with parley join, parley rooms create)',
    );
    // The action decides the form: `rooms` lists, `rooms create` takes the room's options.
    expect(refusal('rooms', ['list', '--public'])).toMatch(
      /^--public is not an option of parley rooms /,
    );
  });

  it('refuses a misspelt or unknown option, long or short', () => {
    expect(refusal('join', ['Lobby', '--pasword', 's'])).toBe(
      '--pasword is not an option of parley join',
    );
    expect(refusal('join', ['Lobby', '-x'])).toBe('-x is not an option of parley join');
    // Not an own property of the options either.
    expect(refusal('join', ['Lobby', '--constructor'])).toBe(
      '--constructor is not an option of parley join',
    );
  });

  it('still refuses a missing value and a stray argument', () => {
    expect(refusal('join', ['Lobby', '--password'])).toMatch(/--password/);
    expect(refusal('join', ['a', 'b', 'c'])).toBe('Unexpected argument: c');
  });
});
