import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PARLEY_VERSION } from './version';

describe('version', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(PARLEY_VERSION).toBe(pkg.version);
  });
});
