/**
 * Counts refused input by reason and, when given a logger, logs each refusal at debug level. A
 * peer can send junk as fast as the link allows, so a refusal is never logged above debug: the
 * counters are what a status page or a test looks at.
 *
 * What must stay true: `snapshot()` always has every envelope RejectReason and StoreRejectReason
 * (zero when none was counted), so its shape does not depend on what a peer sent, and it is a
 * copy the caller may keep. Callers may count reasons of their own too (a room the node does not
 * know, a bad op); those appear once counted.
 */
import type { Logger } from '../log/logger';
import { REJECT_REASONS, STORE_REJECT_REASONS } from './reject-reasons';

/** The log event of one refusal. */
export const MESSAGE_REJECTED_EVENT = 'message_rejected';

export interface RejectCounter {
  /** Adds one refusal; `fields` (room, peer, detail...) go to the debug log line only. */
  count(reason: string, fields?: Record<string, unknown>): void;
  /** Refusals so far, per reason. */
  snapshot(): Record<string, number>;
}

export interface RejectCounterOptions {
  /** Where refusals are logged (debug). Default: not logged, only counted. */
  logger?: Logger;
}

export function createRejectCounter(options: RejectCounterOptions = {}): RejectCounter {
  const counts: Record<string, number> = Object.fromEntries(
    [...REJECT_REASONS, ...STORE_REJECT_REASONS].map((r) => [r, 0]),
  );
  return {
    count(reason, fields) {
      counts[reason] = (counts[reason] ?? 0) + 1;
      options.logger?.debug(MESSAGE_REJECTED_EVENT, { reason, ...fields });
    },
    snapshot: () => ({ ...counts }),
  };
}
