/**
 * The security alerts a node has raised and the user has not dismissed yet: a known peer that
 * presented another key. They are kept in the store, not only sent as events, because a
 * warning raised while no window was open (a headless node, the browser closed) must still be
 * seen when one opens.
 *
 * What must stay true:
 * - The same mismatch raised again (every redial meets it) is one alert, refreshed, not a pile.
 * - The list is bounded (MAX_KEPT_ALERTS, the newest kept): a peer that keeps presenting new
 *   keys cannot fill the store.
 * - A stored list that fails its schema is dropped (and logged), never a failed start.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SecurityAlert } from '../../../shared/api';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import { parseStoredJson } from './stored-json';

const ALERTS_SETTING = 'security.alerts';
export const MAX_KEPT_ALERTS = 20;

export type NewSecurityAlert = Omit<SecurityAlert, 'id'>;

export interface SecurityAlertBook {
  /** Reads the alerts kept by the last run. */
  load(): Promise<void>;
  /**
   * Keeps the alert (replacing the same mismatch) and returns it with its ID at once, so it can
   * be shown even if saving it fails; `saved` settles when it is in the store.
   */
  raise(alert: NewSecurityAlert): { alert: SecurityAlert; saved: Promise<void> };
  /** Alerts not dismissed yet, oldest first. */
  list(): SecurityAlert[];
  /** Forgets an alert; unknown IDs are ignored (another window dismissed it first). */
  dismiss(id: string): Promise<void>;
}

/** One ID per mismatch: who was expected, who answered, where. */
function alertId(a: NewSecurityAlert): string {
  return createHash('sha256')
    .update(`${a.kind}\n${a.expected}\n${a.presented ?? ''}\n${a.address}`)
    .digest('hex')
    .slice(0, 32);
}

export function createSecurityAlertBook(store: Store, log: Logger): SecurityAlertBook {
  let alerts: SecurityAlert[] = [];
  const save = (): Promise<void> => store.setSetting(ALERTS_SETTING, JSON.stringify(alerts));

  return {
    async load() {
      const saved = await store.getSetting(ALERTS_SETTING);
      if (saved === undefined) return;
      const checked = z.array(SecurityAlert).max(MAX_KEPT_ALERTS).safeParse(parseStoredJson(saved));
      if (checked.success) alerts = checked.data;
      else log.warn('security_alerts_unreadable', { setting: ALERTS_SETTING });
    },

    raise(alert) {
      const kept = { ...alert, id: alertId(alert) };
      alerts = [...alerts.filter((a) => a.id !== kept.id), kept].slice(-MAX_KEPT_ALERTS);
      return { alert: kept, saved: save() };
    },

    list: () => [...alerts],

    async dismiss(id) {
      if (!alerts.some((a) => a.id === id)) return;
      alerts = alerts.filter((a) => a.id !== id);
      await save();
    },
  };
}
