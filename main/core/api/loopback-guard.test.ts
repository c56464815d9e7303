import { describe, expect, it } from 'vitest';
import { isLoopbackHost, newSecret, sameSecret } from './loopback-guard';

describe('loopback guard', () => {
  it('accepts only the loopback names of the server’s own port', () => {
    expect(isLoopbackHost('127.0.0.1:4000', 4000)).toBe(true);
    expect(isLoopbackHost('localhost:4000', 4000)).toBe(true);
    for (const host of [undefined, '', '127.0.0.1', '127.0.0.1:4001', 'evil.example:4000']) {
      expect(isLoopbackHost(host, 4000)).toBe(false);
    }
  });

  it('compares secrets of any length', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(secret);
    expect(sameSecret(secret, secret)).toBe(true);
    expect(sameSecret(secret.slice(1), secret)).toBe(false);
    expect(sameSecret(secret + 'x', secret)).toBe(false);
    expect(sameSecret('', secret)).toBe(false);
  });
});
