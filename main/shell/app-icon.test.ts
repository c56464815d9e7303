import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawIcon, encodePng, iconPng } from './app-icon';

const pixel = (rgba: Uint8Array, size: number, x: number, y: number) =>
  Array.from(rgba.subarray((y * size + x) * 4, (y * size + x) * 4 + 4));

/** Reads back what encodePng wrote: size and RGBA pixels, checking every chunk's CRC. */
function decodePng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const chunks = new Map<string, Buffer[]>();
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    chunks.set(type, [...(chunks.get(type) ?? []), body]);
    at += 12 + length;
  }
  const header = chunks.get('IHDR')![0]!;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect([...header.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
  const rows = inflateSync(Buffer.concat(chunks.get('IDAT')!));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(rows[y * (width * 4 + 1)]).toBe(0);
    rgba.set(rows.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  expect(chunks.has('IEND')).toBe(true);
  return { width, height, rgba };
}

describe('the app icon', () => {
  it('is a blue rounded square with a white bubble and blue dots', () => {
    const size = 64;
    const icon = drawIcon(size);
    expect(pixel(icon, size, 0, 0)[3]).toBe(0); // the rounded corner is transparent
    expect(pixel(icon, size, 32, 8)).toEqual([0x2f, 0x6f, 0xde, 255]);
    expect(pixel(icon, size, 12, 26)).toEqual([255, 255, 255, 255]); // inside the bubble
    expect(pixel(icon, size, 22, 31)).toEqual([0x2f, 0x6f, 0xde, 255]); // the first dot
  });

  it('shows a red dot at the top right when there is something unread', () => {
    const size = 32;
    const plain = drawIcon(size);
    const unread = drawIcon(size, { unread: true });
    expect(pixel(plain, size, 26, 6)).toEqual([0x2f, 0x6f, 0xde, 255]);
    expect(pixel(unread, size, 26, 6)).toEqual([0xe5, 0x48, 0x4d, 255]);
    // The rest of the icon is the same.
    expect(pixel(unread, size, 8, 20)).toEqual(pixel(plain, size, 8, 20));
  });

  it('encodes as a valid PNG that decodes to the same pixels', () => {
    for (const size of [16, 32]) {
      const decoded = decodePng(iconPng(size, { unread: size === 32 }));
      expect(decoded.width).toBe(size);
      expect(decoded.height).toBe(size);
      expect(decoded.rgba).toEqual(drawIcon(size, { unread: size === 32 }));
    }
  });

  it('refuses pixel data of the wrong length', () => {
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(RangeError);
  });
});
