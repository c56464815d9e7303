// End-to-end tests. Each project is one host of Parley's renderer:
//   electron  the desktop app, driven through Playwright's _electron (e2e/electron.spec.ts);
//             skipped, with the reason, where the Electron binary is not installed
//   chromium  the web GUI of `parley serve --ui` in Debian's Chromium (/usr/bin/chromium, not a
//             downloaded browser), against real headless nodes (e2e/web.*.spec.ts, e2e/web/).
//             No sandbox (CI containers run as root) and no traffic of Chromium's own: no
//             background networking, no component updates.
// The list reporter is followed by one that prints why tests were skipped.
// The specs start what they need themselves (the app, or headless nodes), so there is no webServer.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  reporter: [['list'], ['./e2e/skip-reasons-reporter.ts']],
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  projects: [
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
    {
      name: 'chromium',
      testMatch: /web\..*spec\.ts$/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
          ],
        },
      },
    },
  ],
});
