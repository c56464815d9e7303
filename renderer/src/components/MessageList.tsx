// A room's messages, grouped by day and by runs of one sender, with this node's unsent
// messages at the end. Scrolling to the top (or the "Load older messages" button) loads the
// previous page and keeps the reader's place; new messages keep the list at the bottom only
// when the reader was already there. A message revealed from search is scrolled to, marked
// and focused.
import { useEffect, useLayoutEffect, useMemo, useRef, type UIEvent } from 'react';
import type { MessageInfo } from '../../../shared/api';
import { timeOfDay } from '../lib/format';
import { groupMessages, runDeliveryLabels, type SenderRun } from '../lib/messages-view';
import type { PendingSend, RoomMessages } from '../store/messages-slice';
import { useAppStore } from '../store/store-context';

/** Closer than this to the top loads older messages; to the bottom counts as "at the bottom". */
const EDGE_PX = 80;

const NO_PENDING: PendingSend[] = [];

export function MessageList({ roomId, messages }: { roomId: string; messages: RoomMessages }) {
  const pending = useAppStore((s) => s.messages.pending[roomId] ?? NO_PENDING);
  const loadOlder = useAppStore((s) => s.loadOlderMessages);
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastHeight = useRef(0);
  const firstId = useRef<string | undefined>(undefined);
  const revealed = useAppStore((s) =>
    s.messages.revealed?.roomId === roomId ? s.messages.revealed.id : null,
  );

  useEffect(() => {
    if (!revealed) return;
    const item = ref.current?.querySelector<HTMLElement>(
      `[data-message-id="${CSS.escape(revealed)}"]`,
    );
    if (!item) return;
    atBottom.current = false;
    item.scrollIntoView({ block: 'center' });
    item.focus({ preventScroll: true });
  }, [revealed, messages.items]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = messages.items[0]?.id;
    if (firstId.current !== undefined && first !== firstId.current && !atBottom.current) {
      // Older messages were put above: keep what the reader was looking at in place.
      el.scrollTop += el.scrollHeight - lastHeight.current;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    firstId.current = first;
    lastHeight.current = el.scrollHeight;
  }, [messages.items, pending]);

  const onScroll = (event: UIEvent<HTMLDivElement>): void => {
    const el = event.currentTarget;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    lastHeight.current = el.scrollHeight;
    if (el.scrollTop < EDGE_PX && messages.hasOlder && !messages.loadingOlder) {
      void loadOlder(roomId);
    }
  };

  const members = useAppStore((s) => s.rooms.details[roomId]?.members);
  const names = useMemo(() => new Map((members ?? []).map((m) => [m.deviceId, m.name])), [members]);
  const days = groupMessages(messages.items, { names });
  const empty = messages.loaded && messages.items.length === 0 && pending.length === 0;

  return (
    <div
      className="message-scroller"
      ref={ref}
      onScroll={onScroll}
      tabIndex={0}
      role="log"
      aria-label="Messages"
      data-testid="message-list"
    >
      {messages.loaded && messages.hasOlder && (
        <div className="load-older">
          <button
            type="button"
            className="link"
            onClick={() => void loadOlder(roomId)}
            disabled={messages.loadingOlder}
            data-testid="load-older"
          >
            {messages.loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
        </div>
      )}
      {!messages.loaded && !messages.error && <p className="muted center">Loading messages…</p>}
      {messages.error && (
        <p className="error center" role="alert">
          {messages.error}
        </p>
      )}
      {empty && <p className="empty center">No messages yet. Say hello!</p>}
      {days.map((day) => (
        <section key={day.key} className="day" aria-label={day.label}>
          <h3 className="day-label">{day.label}</h3>
          {day.runs.map((run) => (
            <RunView key={run.key} run={run} revealed={revealed} />
          ))}
        </section>
      ))}
      {pending.length > 0 && <PendingList roomId={roomId} pending={pending} />}
    </div>
  );
}

function RunView({ run, revealed }: { run: SenderRun; revealed: string | null }) {
  const first = run.messages[0]!;
  const labels = runDeliveryLabels(run.messages);
  return (
    <div className={`run${run.mine ? ' mine' : ''}`}>
      <p className="run-head">
        <span className="sender">{run.mine ? 'You' : run.senderName}</span>{' '}
        <time className="muted" dateTime={new Date(first.ts).toISOString()}>
          {timeOfDay(first.ts)}
        </time>
      </p>
      <ul className="run-messages">
        {run.messages.map((m, i) => (
          <MessageItem
            key={m.id}
            message={m}
            delivery={labels[i] ?? null}
            revealed={m.id === revealed}
          />
        ))}
      </ul>
    </div>
  );
}

function MessageItem({
  message,
  delivery,
  revealed,
}: {
  message: MessageInfo;
  delivery: string | null;
  revealed: boolean;
}) {
  return (
    <li
      className={revealed ? 'message revealed' : 'message'}
      data-testid="message"
      data-message-id={message.id}
      // Focusable only when revealed, so that keyboard and screen-reader users land on it.
      tabIndex={revealed ? -1 : undefined}
      aria-current={revealed ? 'true' : undefined}
    >
      <span className="message-text">{message.text}</span>
      {delivery && (
        <span className="delivery muted" data-testid="delivery">
          {delivery}
        </span>
      )}
    </li>
  );
}

function PendingList({ roomId, pending }: { roomId: string; pending: PendingSend[] }) {
  const retrySend = useAppStore((s) => s.retrySend);
  const discardSend = useAppStore((s) => s.discardSend);
  return (
    <div className="run mine">
      <ul className="run-messages">
        {pending.map((p) => (
          <li key={p.key} className="message pending" data-testid="pending-message">
            <span className="message-text">{p.text}</span>
            {p.status === 'sending' ? (
              <span className="delivery muted" data-testid="delivery">
                Sending…
              </span>
            ) : (
              <span className="send-failed">
                <span className="error" role="alert">
                  Not sent: {p.error}
                </span>{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => void retrySend(roomId, p.key)}
                >
                  Try again
                </button>{' '}
                <button type="button" className="link" onClick={() => discardSend(roomId, p.key)}>
                  Discard
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
