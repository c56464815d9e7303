import { describe, expect, it } from 'vitest';
import {
  bitStringOfBytes,
  boolean,
  certificateTime,
  explicit,
  namedBits,
  objectIdentifier,
  octetString,
  sequence,
  setOfOne,
  tlv,
  unsignedInteger,
  utf8String,
} from './certificate-der';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('DER lengths', () => {
  it('uses the short form up to 127 and the shortest long form above', () => {
    expect(hex(tlv(0x04))).toBe('0400');
    expect(hex(tlv(0x04, new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, new Uint8Array(255))).slice(0, 6)).toBe('0481ff');
    expect(hex(tlv(0x04, new Uint8Array(256))).slice(0, 8)).toBe('04820100');
    expect(hex(tlv(0x04, new Uint8Array(65_536))).slice(0, 10)).toBe('0483010000');
    expect(tlv(0x04, new Uint8Array(65_536)).length).toBe(5 + 65_536);
  });

  it('concatenates the content of constructed values', () => {
    expect(hex(sequence(boolean(true), boolean(false)))).toBe('30060101ff010100');
    expect(hex(setOfOne(octetString(bytes(1, 2))))).toBe('310404020102');
    expect(hex(explicit(0, unsignedInteger(bytes(2))))).toBe('a003020102');
    expect(hex(explicit(3, sequence()))).toBe('a3023000');
  });
});

describe('DER INTEGER', () => {
  it('drops redundant leading zeros and keeps a set top bit positive', () => {
    expect(hex(unsignedInteger(bytes(0, 0, 1)))).toBe('020101');
    expect(hex(unsignedInteger(bytes(0x7f, 0xff)))).toBe('02027fff');
    expect(hex(unsignedInteger(bytes(0x80)))).toBe('02020080');
    expect(hex(unsignedInteger(bytes(0, 0x80, 0)))).toBe('0203008000');
  });

  it('writes zero as one zero byte', () => {
    expect(hex(unsignedInteger(bytes()))).toBe('020100');
    expect(hex(unsignedInteger(bytes(0, 0)))).toBe('020100');
  });
});

describe('DER OBJECT IDENTIFIER', () => {
  it('encodes the first two arcs together and the rest in base 128', () => {
    expect(hex(objectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(objectIdentifier('2.5.29.37'))).toBe('0603551d25');
    expect(hex(objectIdentifier('1.3.6.1.5.5.7.3.2'))).toBe('06082b06010505070302');
    // X.690 §8.19.5's own example: 2.999.3.
    expect(hex(objectIdentifier('2.999.3'))).toBe('0603883703');
    expect(hex(objectIdentifier('1.2.128'))).toBe('06032a8100');
  });

  it('refuses what is not an OID', () => {
    for (const bad of ['', '1', '3.1', '1.40', '0.2.03', '1.2.', '1..2', 'a.b', '1.2.-3']) {
      expect(() => objectIdentifier(bad), bad).toThrow(RangeError);
    }
    expect(() => objectIdentifier('1.2.99999999999999999')).toThrow(RangeError);
  });
});

describe('DER BIT STRING', () => {
  it('writes named bits with trailing zero bits dropped', () => {
    expect(hex(namedBits([0]))).toBe('03020780'); // keyUsage digitalSignature
    expect(hex(namedBits([0, 5]))).toBe('03020284');
    expect(hex(namedBits([7]))).toBe('03020001');
    expect(hex(namedBits([8]))).toBe('0303070080');
    expect(hex(namedBits([]))).toBe('030100');
    expect(() => namedBits([-1])).toThrow(RangeError);
  });

  it('writes whole bytes with no unused bits', () => {
    expect(hex(bitStringOfBytes(bytes(0xab, 0xcd)))).toBe('030300abcd');
  });
});

describe('DER UTF8String', () => {
  it('writes the UTF-8 bytes of the text, unescaped', () => {
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(utf8String('a,b'))).toBe('0c03612c62');
    expect(hex(utf8String('🦜'))).toBe('0c04f09fa69c');
  });

  it('refuses unpaired surrogates instead of writing replacement characters', () => {
    expect(() => utf8String('a\ud800')).toThrow(RangeError);
    expect(() => utf8String('\udc00b')).toThrow(RangeError);
  });
});

describe('certificate times', () => {
  const time = (iso: string): string => {
    const der = certificateTime(new Date(iso));
    return `${der[0]!.toString(16)} ${Buffer.from(der.subarray(2)).toString('ascii')}`;
  };

  it('uses UTCTime from 1950 to 2049 and GeneralizedTime outside (RFC 5280 §4.1.2.5)', () => {
    expect(time('1950-01-01T00:00:00Z')).toBe('17 500101000000Z');
    expect(time('2049-12-31T23:59:59Z')).toBe('17 491231235959Z');
    expect(time('2050-01-01T00:00:00Z')).toBe('18 20500101000000Z');
    expect(time('2126-11-05T19:10:52Z')).toBe('18 21261105191052Z');
    expect(time('1949-12-31T23:59:59Z')).toBe('18 19491231235959Z');
  });

  it('writes whole seconds in UTC', () => {
    expect(time('2026-11-28T19:13:31.999Z')).toBe('17 261128191331Z');
    expect(time('2026-11-28T23:30:00+02:00')).toBe('17 261128213000Z');
  });

  it('refuses times it cannot write', () => {
    expect(() => certificateTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => certificateTime(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError);
  });
});
