// Where a message is written: Enter sends, Shift+Enter starts a new line. The text box empties
// at once; the message shows as "Sending…" until the node has stored it. What is typed is kept
// as the room's draft (prefs.ts) until then, so switching rooms or closing the window loses
// nothing. Disabled (with the reason) when this node can no longer send in the room.
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_MESSAGE_TEXT } from '../../../shared/room-wire';
import { useAppStore } from '../store/store-context';

export function Composer(props: {
  roomId: string;
  roomLabel: string;
  disabledReason: string | null;
}) {
  const { roomId, roomLabel, disabledReason } = props;
  const sendMessage = useAppStore((s) => s.sendMessage);
  const draftOf = useAppStore((s) => s.draftOf);
  const saveDraft = useAppStore((s) => s.saveDraft);
  const [text, setText] = useState(() => draftOf(roomId));
  const disabled = disabledReason !== null;

  const send = (): void => {
    if (disabled || text.trim() === '') return;
    void sendMessage(roomId, text);
    setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    send();
  };

  return (
    <form className="composer" onSubmit={onSubmit} aria-label="Send a message">
      <label htmlFor={`composer-${roomId}`} className="visually-hidden">
        Message {roomLabel}
      </label>
      <textarea
        id={`composer-${roomId}`}
        rows={1}
        value={text}
        maxLength={MAX_MESSAGE_TEXT}
        placeholder={disabledReason ?? `Message ${roomLabel}`}
        onChange={(e) => {
          setText(e.target.value);
          saveDraft(roomId, e.target.value);
        }}
        onKeyDown={onKeyDown}
        disabled={disabled}
        // The room view mounts per room: opening a room puts the cursor here, as messengers do.
        autoFocus
        aria-describedby={`composer-hint-${roomId}`}
        data-testid="composer-input"
      />
      <button type="submit" disabled={disabled || text.trim() === ''} data-testid="send-button">
        Send
      </button>
      <p id={`composer-hint-${roomId}`} className="visually-hidden">
        Enter sends; Shift+Enter starts a new line.
      </p>
    </form>
  );
}
