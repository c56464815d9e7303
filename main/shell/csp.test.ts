import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { developmentCsp, PRODUCTION_CSP } from './csp';

describe('the renderer CSP', () => {
  it('is strict in production', () => {
    expect(PRODUCTION_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('is the one in renderer/index.html', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    expect(html).toContain(`content="${PRODUCTION_CSP}"`);
  });

  it('adds only the dev server’s socket and inline scripts in development', () => {
    const dev = developmentCsp('http://localhost:5173');
    expect(dev).toBe(
      PRODUCTION_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
        "connect-src 'self'",
        "connect-src 'self' ws://localhost:5173",
      ),
    );
  });
});
