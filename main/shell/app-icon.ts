/**
 * Draws Parley's icon (the speech bubble of build/icon.svg) at any size, with or without the
 * red "unread" dot, and encodes it as PNG. The tray uses it at run time, so no image file has
 * to be found next to the bundle; build/make-icons.ts writes build/icon.png from it for
 * packaging.
 *
 * Guarantees: the shapes are the ones in build/icon.svg (keep the two in step); edges are
 * anti-aliased by 4×4 supersampling; the PNG is 8-bit RGBA, non-interlaced.
 *
 * Plain Node with no 'electron' import.
 */
import { crc32, deflateSync } from 'node:zlib';

/** The icon's design grid: build/icon.svg's viewBox is 512×512. */
const GRID = 512;
const SAMPLES = 4; // per axis, per pixel

type Rgba = readonly [number, number, number, number];
const BLUE: Rgba = [0x2f, 0x6f, 0xde, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const RED: Rgba = [0xe5, 0x48, 0x4d, 255];

interface Shape {
  inside(x: number, y: number): boolean;
  color: Rgba;
}

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number, color: Rgba) {
  return {
    color,
    inside(x: number, y: number) {
      if (x < x0 || x > x1 || y < y0 || y > y1) return false;
      const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
      const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
      return dx * dx + dy * dy <= r * r;
    },
  };
}

function circle(cx: number, cy: number, r: number, color: Rgba): Shape {
  return { color, inside: (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r };
}

function triangle(points: readonly [number, number][], color: Rgba): Shape {
  const [a, b, c] = points as [[number, number], [number, number], [number, number]];
  const side = (p: [number, number], q: [number, number], x: number, y: number) =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  return {
    color,
    inside(x, y) {
      const s1 = side(a, b, x, y);
      const s2 = side(b, c, x, y);
      const s3 = side(c, a, x, y);
      return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
    },
  };
}

/** The layers of build/icon.svg, bottom first; the unread dot sits on top, top right. */
const ICON: readonly Shape[] = [
  roundedRect(0, 0, 512, 512, 112, BLUE),
  roundedRect(60, 150, 380, 354, 72, WHITE),
  triangle(
    [
      [224, 354],
      [148, 412],
      [148, 354],
    ],
    WHITE,
  ),
  circle(180, 252, 20, BLUE),
  circle(240, 252, 20, BLUE),
  circle(300, 252, 20, BLUE),
];
const UNREAD_DOT: readonly Shape[] = [circle(416, 96, 112, WHITE), circle(416, 96, 90, RED)];

/** The icon as RGBA pixels, row by row, `size`×`size`. */
export function drawIcon(size: number, options: { unread?: boolean } = {}): Uint8Array {
  const layers = options.unread ? [...ICON, ...UNREAD_DOT] : ICON;
  const pixels = new Uint8Array(size * size * 4);
  const scale = GRID / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Premultiplied sums over the samples of this pixel.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) * scale;
          const y = (py + (sy + 0.5) / SAMPLES) * scale;
          const color = topColor(layers, x, y);
          if (!color) continue;
          r += color[0];
          g += color[1];
          b += color[2];
          a += 255;
        }
      }
      const at = (py * size + px) * 4;
      if (a === 0) continue;
      pixels[at] = Math.round((r * 255) / a);
      pixels[at + 1] = Math.round((g * 255) / a);
      pixels[at + 2] = Math.round((b * 255) / a);
      pixels[at + 3] = Math.round(a / (SAMPLES * SAMPLES));
    }
  }
  return pixels;
}

function topColor(layers: readonly Shape[], x: number, y: number): Rgba | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (layer.inside(x, y)) return layer.color;
  }
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encodes RGBA pixels (row by row) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError('pixel data does not fit the size');
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit, RGBA, deflate, adaptive filters, no interlace
  // Each row starts with its filter type; 0 (none) keeps the encoder trivial.
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** The icon as a PNG, `size`×`size`. */
export function iconPng(size: number, options: { unread?: boolean } = {}): Buffer {
  return encodePng(size, size, drawIcon(size, options));
}
