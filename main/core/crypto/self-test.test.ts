import { describe, it, expect } from 'vitest';
import { runCryptoSelfTests } from './self-test';

describe('runCryptoSelfTests', () => {
  it('passes on this build', () => {
    expect(() => runCryptoSelfTests()).not.toThrow();
  });

  it('can run more than once (a restarted node in the same process)', () => {
    runCryptoSelfTests();
    expect(() => runCryptoSelfTests()).not.toThrow();
  });
});
