// Build of the desktop app: three bundles, each with an explicit entry (electron-vite would
// otherwise look under src/), all written to out/.
//   main     main/index.ts      → out/main/index.js     ESM ("type": "module"); npm deps stay
//                                                        external (better-sqlite3 is native)
//   preload  preload/index.ts   → out/preload/index.cjs  CommonJS, everything bundled: a
//                                                        sandboxed preload cannot load ESM or
//                                                        require anything but 'electron'
//   renderer renderer/index.html → out/renderer/         React; the page's CSP is checked here
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { developmentCsp, PRODUCTION_CSP } from './main/shell/csp';

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (p: string): string => resolve(root, p);

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: at('main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: at('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: at('renderer'),
    plugins: [react(), rendererCsp()],
    build: {
      outDir: at('out/renderer'),
      rolldownOptions: {
        input: { index: at('renderer/index.html') },
      },
    },
    server: { fs: { allow: [root] } },
  },
});

/**
 * Keeps the CSP <meta> of renderer/index.html equal to PRODUCTION_CSP (main/shell/csp.ts):
 * the build fails if they differ. The dev server serves the development policy instead, which
 * lets Vite's HMR socket and React Fast Refresh's inline preamble work.
 */
function rendererCsp(): Plugin {
  const META = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i;
  return {
    name: 'parley:renderer-csp',
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        const match = META.exec(html);
        if (!match || match[1] !== PRODUCTION_CSP) {
          throw new Error(
            'renderer/index.html must contain exactly ' +
              `<meta http-equiv="Content-Security-Policy" content="${PRODUCTION_CSP}" />`,
          );
        }
        if (!ctx.server) return html;
        // The URL electron-vite hands to the Electron main process, so both policies agree.
        const devUrl = process.env['ELECTRON_RENDERER_URL'] ?? ctx.server.resolvedUrls?.local[0];
        if (!devUrl) return html;
        return html.replace(match[0], match[0].replace(match[1], developmentCsp(devUrl)));
      },
    },
  };
}
