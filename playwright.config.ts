// End-to-end tests. Each project is one host of Parley's renderer:
//   electron  the desktop app, driven through Playwright's _electron (e2e/electron.spec.ts);
//             skipped, with the reason, where the Electron binary is not installed
//   chromium  (next) the web GUI of `parley serve --ui` in Debian's Chromium: add
//             { name: 'chromium', testMatch: /web\..*spec\.ts$/,
//               use: { browserName: 'chromium', launchOptions: { executablePath: '/usr/bin/chromium' } } }
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
  projects: [{ name: 'electron', testMatch: /electron\.spec\.ts$/ }],
});
