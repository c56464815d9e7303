/**
 * Writes build/icon.png (512×512), the icon electron-builder packages, from the same drawing
 * the tray uses (main/shell/app-icon.ts, which follows build/icon.svg). Run it after changing
 * the icon: `node --import tsx build/make-icons.ts`; the PNG is committed.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { iconPng } from '../main/shell/app-icon';

const target = fileURLToPath(new URL('icon.png', import.meta.url));
writeFileSync(target, iconPng(512));
console.log(`wrote ${target}`);
