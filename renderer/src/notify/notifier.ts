/**
 * System notifications behind a small interface, so the store decides *when* to notify and
 * tests replace *how*. The web implementation uses the Web Notification API, which Electron
 * maps to the OS's notifications and a browser shows for the web GUI.
 *
 * What must stay true: permission is asked at most once per start, and only while it is
 * 'default' (a user who said no is not asked again); a click brings the window to the front.
 */
export type NotifyPermission = 'granted' | 'denied' | 'default' | 'unsupported';

export interface NewMessageNotice {
  title: string;
  body: string;
  /** Notifications with the same tag replace each other: one per room. */
  tag: string;
  onClick(): void;
}

export interface Notifier {
  permission(): NotifyPermission;
  /** Asks the user once, if they have not answered yet; resolves to the answer. */
  requestPermission(): Promise<NotifyPermission>;
  show(notice: NewMessageNotice): void;
}

/** The Web Notification API; 'unsupported' where it does not exist. */
export function webNotifier(): Notifier {
  const supported = typeof Notification !== 'undefined';
  let asked = false;
  return {
    permission: () => (supported ? Notification.permission : 'unsupported'),
    async requestPermission() {
      if (!supported) return 'unsupported';
      if (Notification.permission !== 'default' || asked) return Notification.permission;
      asked = true;
      try {
        return await Notification.requestPermission();
      } catch {
        return Notification.permission;
      }
    },
    show({ title, body, tag, onClick }) {
      if (!supported || Notification.permission !== 'granted') return;
      const notification = new Notification(title, { body, tag });
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    },
  };
}

/** A notifier that shows nothing (no window, e.g. under tests that do not care). */
export const silentNotifier: Notifier = {
  permission: () => 'unsupported',
  requestPermission: async () => 'unsupported',
  show: () => undefined,
};
