/**
 * How a room's messages are laid out: by day, then in runs by one sender (a new run after a
 * pause, as Signal and Slack do), and the delivery words under one's own messages. Search
 * matches are split out for highlighting. Pure functions, tested without a DOM.
 */
import type { MessageInfo } from '../../../shared/api';
import { dayKey, dayLabel } from './format';

/** A pause longer than this starts a new run even from the same sender. */
const RUN_PAUSE_MS = 5 * 60 * 1000;

export interface SenderRun {
  key: string;
  sender: string;
  senderName: string;
  mine: boolean;
  messages: MessageInfo[];
}

export interface DayGroup {
  key: string;
  label: string;
  runs: SenderRun[];
}

/**
 * `now`: what "Today" is. `names`: the room's members by device ID, as its details
 * (room.updated) show them now; a member's current name wins over the one a message was loaded
 * with, so a rename shows on the messages already on screen too (the node answers history with
 * current names as well).
 */
export function groupMessages(
  messages: MessageInfo[],
  {
    now = Date.now(),
    names = new Map(),
  }: { now?: number; names?: ReadonlyMap<string, string> } = {},
): DayGroup[] {
  const days: DayGroup[] = [];
  for (const m of messages) {
    const key = dayKey(m.ts);
    let day = days.at(-1);
    if (!day || day.key !== key) {
      day = { key, label: dayLabel(m.ts, now), runs: [] };
      days.push(day);
    }
    const run = day.runs.at(-1);
    const last = run?.messages.at(-1);
    if (run && last && run.sender === m.sender && m.ts - last.ts <= RUN_PAUSE_MS) {
      run.messages.push(m);
    } else {
      day.runs.push({
        key: m.id,
        sender: m.sender,
        senderName: names.get(m.sender) ?? m.senderName,
        mine: m.mine,
        messages: [m],
      });
    }
  }
  return days;
}

/** The words under one's own message: "Sent", "Delivered to 2 of 4", "Delivered". */
export function deliveryLabel(delivery: MessageInfo['delivery']): string | null {
  if (!delivery) return null;
  if (delivery.of > 0 && delivery.delivered >= delivery.of) return 'Delivered';
  if (delivery.delivered === 0) return 'Sent';
  return `Delivered to ${delivery.delivered} of ${delivery.of}`;
}

/**
 * The delivery words to show under each message of a run: only where they change, and under
 * the run's last message, so a burst of delivered messages is not a column of "Delivered".
 */
export function runDeliveryLabels(run: MessageInfo[]): Array<string | null> {
  const labels = run.map((m) => deliveryLabel(m.delivery));
  return labels.map((label, i) =>
    i === labels.length - 1 || label !== labels[i + 1] ? label : null,
  );
}

export interface TextPart {
  text: string;
  match: boolean;
}

/** Splits text into parts that match a word of the query (case-insensitive) and parts that do not. */
export function highlightParts(text: string, query: string): TextPart[] {
  const words = query
    .split(/\s+/)
    .map((w) => w.replace(/["*()]/g, ''))
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return [{ text, match: false }];
  const pattern = new RegExp(`(${words.join('|')})`, 'i');
  // With one capturing group, split puts the matches at the odd indexes.
  return text
    .split(pattern)
    .map((part, i) => ({ text: part, match: i % 2 === 1 }))
    .filter((part) => part.text.length > 0);
}
