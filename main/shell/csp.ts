/**
 * The renderer's Content Security Policy, written once. It is enforced twice: as a response
 * header (main/shell/window.ts, for pages served over http by the dev server) and as the
 * <meta http-equiv> in renderer/index.html (for the built app loaded from file://, which has no
 * headers). electron.vite.config.ts checks at build time that the meta matches PRODUCTION_CSP.
 *
 * Guarantees: only the app's own scripts run; nothing is fetched from anywhere but the app;
 * no plugins, no <base>, no form posts, no framing. The development policy differs in exactly
 * two ways, both only while the Vite dev server serves the renderer: Vite's HMR socket may be
 * reached, and inline scripts may run (React Fast Refresh injects an inline module preamble).
 *
 * Plain TypeScript with no 'electron' import, so the build config can use it too.
 */

const BASE_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

function serialise(directives: ReadonlyArray<readonly [string, string]>): string {
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}

/** The policy of the built app. */
export const PRODUCTION_CSP = serialise(BASE_DIRECTIVES);

/**
 * The policy while the renderer is served by the Vite dev server at `devServerUrl`
 * (e.g. `http://localhost:5173`): adds the HMR WebSocket and inline scripts, nothing else.
 */
export function developmentCsp(devServerUrl: string): string {
  const http = new URL(devServerUrl);
  const ws = `${http.protocol === 'https:' ? 'wss:' : 'ws:'}//${http.host}`;
  return serialise(
    BASE_DIRECTIVES.map(([name, value]): readonly [string, string] => {
      if (name === 'connect-src') return [name, `${value} ${ws}`];
      if (name === 'script-src') return [name, `${value} 'unsafe-inline'`];
      return [name, value];
    }),
  );
}
