import { describe, it, expect } from 'vitest';
import {
  encodeLabel,
  MAX_LABEL_BYTES,
  SEAL_CONTEXTS,
  SEAL_HKDF_INFO_PREFIX,
  SIGN_LABELS,
} from './labels';

describe('labels', () => {
  const all = [
    ...Object.values(SIGN_LABELS),
    ...Object.values(SEAL_CONTEXTS),
    SEAL_HKDF_INFO_PREFIX,
  ];

  it('are all distinct, versioned and encodable', () => {
    expect(new Set(all).size).toBe(all.length);
    for (const label of all) {
      expect(label).toMatch(/^parley\/v1\//);
      expect(() => encodeLabel(label)).not.toThrow();
    }
  });

  it('encodes as a one-byte length followed by the ASCII bytes', () => {
    expect([...encodeLabel('ab')]).toEqual([2, 0x61, 0x62]);
    expect(encodeLabel('x'.repeat(MAX_LABEL_BYTES))).toHaveLength(MAX_LABEL_BYTES + 1);
  });

  it('refuses labels that could not be encoded unambiguously', () => {
    expect(() => encodeLabel('')).toThrow(RangeError);
    expect(() => encodeLabel('x'.repeat(MAX_LABEL_BYTES + 1))).toThrow(RangeError);
    expect(() => encodeLabel('parley/v1/é')).toThrow(RangeError);
    expect(() => encodeLabel('line\nbreak')).toThrow(RangeError);
  });
});
