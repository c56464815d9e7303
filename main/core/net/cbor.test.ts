import { describe, expect, it } from 'vitest';
import { MAX_CBOR_DEPTH, checkPlainCbor, decodeCbor, encodeCbor } from './cbor';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

describe('plain CBOR', () => {
  it('round-trips plain data, byte strings included', () => {
    const value = {
      n: 1,
      neg: -500,
      big: 2 ** 40,
      f: 1.5,
      s: 'héllo',
      b: Buffer.from([1, 2, 3]),
      a: [null, true, false, [], {}],
      nested: { deeper: { list: [1, 'two'] } },
    };
    const decoded = decodeCbor(encodeCbor(value));
    expect(decoded).toEqual({ ok: true, value });
  });

  it('decodes byte strings as copies, not views of the frame', () => {
    const bytes = encodeCbor({ b: Buffer.alloc(64, 7) });
    const decoded = decodeCbor(bytes);
    if (!decoded.ok) throw new Error(decoded.reason);
    const b = (decoded.value as { b: Uint8Array }).b;
    expect(b.buffer).not.toBe(bytes.buffer);
  });

  it.each([
    ['a tag (epoch date)', 'c1 1a 5f000000', /tag 1/],
    ['tag 27 (generic object)', 'd8 1b 82 65 4572726f72 61 78', /tag 27/],
    ['a record definition', 'd9 dfff 83 00 81 61 61 01', /tag/],
    ['indefinite array', '9f 01 ff', /indefinite/],
    ['truncated string', '65 6162', /truncated/],
    ['trailing bytes', '01 02', /trailing/],
    ['an integer map key', 'a1 01 02', /key/],
    ['simple value 0', 'e0', /simple/],
    ['reserved additional info', '1c', /reserved/],
    ['an array longer than the input', '9a ffffffff', /truncated/],
    ['empty input', '', /truncated/],
  ])('refuses %s', (_what, bytes, reason) => {
    const result = decodeCbor(hex(bytes));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('bounds nesting without recursion', () => {
    const deep = (n: number) => new Uint8Array([...Array<number>(n).fill(0x81), 0x01]);
    expect(checkPlainCbor(deep(MAX_CBOR_DEPTH))).toBeUndefined();
    expect(checkPlainCbor(deep(MAX_CBOR_DEPTH + 1))).toMatch(/nested/);
    expect(decodeCbor(deep(1_000_000)).ok).toBe(false);
  });

  it('never throws on random bytes', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) & 0xff;
    for (let i = 0; i < 5_000; i++) {
      const bytes = Uint8Array.from({ length: 1 + (i % 40) }, next);
      expect(() => decodeCbor(bytes)).not.toThrow();
    }
  });

  it('keeps __proto__ from reaching the prototype', () => {
    // {"__proto__": {"polluted": true}}
    const bytes = hex('a1 69 5f5f70726f746f5f5f a1 68 706f6c6c75746564 f5');
    const decoded = decodeCbor(bytes);
    expect(decoded.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (decoded.ok) expect(Object.getPrototypeOf(decoded.value)).toBe(Object.prototype);
  });

  it('refuses to encode what a peer would refuse', () => {
    expect(() => encodeCbor({ when: new Date() })).toThrow(/plain data/);
    expect(() => encodeCbor(new Set([1]))).toThrow(/plain data/);
    expect(() => encodeCbor(new Map([[1, 2]]))).toThrow(/plain data/);
  });
});
