import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fingerprintOf, formatDeviceId, namesForPublicKey, parseDeviceId } from './device-id';

const hashOf = (text: string): Uint8Array => createHash('sha256').update(text).digest();

describe('device IDs', () => {
  it('formats 32 bytes as 8 groups of 7 base32 characters', () => {
    const id = formatDeviceId(hashOf('a key'));
    expect(id).toMatch(/^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$/);
  });

  it('is a pure function of the key', () => {
    expect(formatDeviceId(hashOf('a key'))).toBe(formatDeviceId(hashOf('a key')));
    expect(formatDeviceId(hashOf('a key'))).not.toBe(formatDeviceId(hashOf('another key')));
  });

  it('parses what it formats, ignoring case, spaces and dashes', () => {
    const id = formatDeviceId(hashOf('x'));
    expect(parseDeviceId(id)).toBe(id);
    expect(parseDeviceId(id.toLowerCase().replace(/-/g, ' '))).toBe(id);
  });

  it('catches a mistyped character with the check characters', () => {
    const id = formatDeviceId(hashOf('y'));
    const i = 3;
    const wrong = id.slice(0, i) + (id[i] === 'A' ? 'B' : 'A') + id.slice(i + 1);
    expect(() => parseDeviceId(wrong)).toThrow(/check character/);
  });

  it('rejects things that are not device IDs', () => {
    for (const junk of ['', 'hello', 'A'.repeat(55), '!'.repeat(56)]) {
      expect(() => parseDeviceId(junk)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    }
  });

  it('gives a 30-digit fingerprint in six groups and a short ID of the first group', () => {
    const names = namesForPublicKey(new Uint8Array([1, 2, 3]));
    expect(names.fingerprint).toMatch(/^(\d{5} ){5}\d{5}$/);
    expect(names.shortId).toBe(names.deviceId.slice(0, 7));
    expect(fingerprintOf(new Uint8Array([1, 2, 3]))).not.toBe(
      fingerprintOf(new Uint8Array([1, 2, 4])),
    );
  });
});
