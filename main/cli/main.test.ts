import { describe, expect, it } from 'vitest';
import { COMMON_OPTIONS } from './args';
import { COMMAND_FORMS, USAGE } from './main';

describe('the options of the commands', () => {
  const declared = Object.entries(COMMAND_FORMS).flatMap(([form, options]) =>
    Object.entries(options).map(([name, config]) => ({ form, name, config })),
  );

  it('mean the same in every command that takes them', () => {
    // The command line is parsed with all of them at once (args.ts): one config per name.
    for (const { form, name, config } of declared) {
      expect(COMMON_OPTIONS, `parley ${form} redefines --${name}`).not.toHaveProperty(name);
      for (const other of declared.filter((d) => d.name === name)) {
        expect(other.config, `--${name} of ${form} and of ${other.form}`).toEqual(config);
      }
    }
  });

  it('are each in the usage text', () => {
    for (const { name } of declared) expect(USAGE).toContain(`--${name}`);
  });
});
