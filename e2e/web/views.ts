/**
 * What the suite records about a view once it is on screen: an axe accessibility scan (serious
 * and critical violations fail the run, listed in words) and a screenshot in
 * test-results/screenshots/ (the README's pictures are chosen from these).
 *
 * Scans collect their findings instead of failing on the spot: the walk through the app goes
 * on (a serial suite would skip everything after a failure), and the spec's last test fails
 * with every view's serious or critical violations listed at once.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import path from 'node:path';

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** Impacts that fail the suite; minor and moderate ones are printed only. */
const BLOCKING = new Set(['serious', 'critical']);

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

/** One violation as a few readable lines: rule, impact, what is wrong, and where. */
export function describeViolation(v: AxeViolation): string {
  const where = v.nodes
    .slice(0, 5)
    .map(
      (n) =>
        `    at ${JSON.stringify(n.target)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
    )
    .join('\n');
  const more = v.nodes.length > 5 ? `\n    …and ${v.nodes.length - 5} more elements` : '';
  return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${where}${more}`;
}

/** Serious or critical violations found so far, each as readable lines naming its view. */
const blockingFindings: string[] = [];

/** Scans what the page shows now: prints minor findings, keeps serious and critical ones. */
export async function scanAccessibility(page: Page, view: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  const minor = violations.filter((v) => !BLOCKING.has(v.impact ?? ''));
  if (minor.length > 0) {
    console.log(
      `axe, ${view}: ${minor.length} minor or moderate\n${minor.map(describeViolation).join('\n')}`,
    );
  }
  for (const v of blocking) blockingFindings.push(`${view}:\n${describeViolation(v)}`);
}

/** Fails with every serious or critical violation the scans of this run found. */
export function expectNoBlockingViolations(): void {
  expect(blockingFindings, 'serious or critical accessibility violations').toEqual([]);
}

/** Saves the page as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  // The pointer is left where the last click was; a hover highlight there is not the view.
  await page.mouse.move(0, (page.viewportSize()?.height ?? 1) - 1);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Both, for a main view. */
export async function recordView(page: Page, name: string, view: string): Promise<void> {
  await screenshot(page, name);
  await scanAccessibility(page, view);
}
