/**
 * Prints why tests were skipped, once per reason, after the list reporter's summary: the
 * list reporter shows a skipped test as a bare "-", and "skipped" without a reason reads like
 * "passed" to whoever glances at CI output.
 */
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasonsReporter implements Reporter {
  private readonly reasons = new Map<string, number>();

  printsToStdio(): boolean {
    return false;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const reason =
      test.annotations.find((a) => a.type === 'skip' && a.description)?.description ??
      'no reason given';
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  onEnd(_result: FullResult): void {
    for (const [reason, count] of this.reasons) {
      console.log(`  skipped ${count} test${count === 1 ? '' : 's'}: ${reason}`);
    }
  }
}
