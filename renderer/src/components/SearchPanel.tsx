// Search in the open room (or in every room): results with the matching words highlighted;
// "Show in conversation" opens the result's room and scrolls to it (loading older pages).
import { useState, type FormEvent } from 'react';
import { dateTime } from '../lib/format';
import { highlightParts } from '../lib/messages-view';
import { useAppStore } from '../store/store-context';
import { CheckboxField, Field } from './Field';
import { SidePanel } from './SidePanel';

export function SearchPanel({ roomId }: { roomId: string }) {
  const search = useAppStore((s) => s.messages.search);
  const roomsById = useAppStore((s) => s.rooms.byId);
  const searchMessages = useAppStore((s) => s.searchMessages);
  const revealMessage = useAppStore((s) => s.revealMessage);
  const [notFound, setNotFound] = useState<string | null>(null);
  const [query, setQuery] = useState(search.query);
  const [everywhere, setEverywhere] = useState(search.status !== 'idle' && search.roomId === null);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void searchMessages(query, everywhere ? null : roomId);
  };

  return (
    <SidePanel title="Search" testId="search-panel">
      <form role="search" onSubmit={submit} className="search-form">
        <Field label="Search messages">
          {({ id }) => (
            <div className="name-row">
              <input
                id={id}
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                autoFocus
                data-testid="search-input"
              />
              <button type="submit" disabled={query.trim() === ''}>
                Search
              </button>
            </div>
          )}
        </Field>
        <CheckboxField label="In every room" checked={everywhere} onChange={setEverywhere} />
      </form>
      <div aria-live="polite" className="search-status">
        {search.status === 'searching' && <p className="muted">Searching…</p>}
        {search.status === 'failed' && <p className="error">{search.error}</p>}
        {search.status === 'done' && (
          <p className="muted">
            {search.results.length === 0
              ? `Nothing found for “${search.query}”.`
              : `${search.results.length} found for “${search.query}”.`}
          </p>
        )}
      </div>
      {search.status === 'done' && search.results.length > 0 && (
        <ul className="search-results" data-testid="search-results">
          {search.results.map((m) => (
            <li key={m.id} className="search-result" data-testid="search-result">
              <p className="run-head">
                <span className="sender">{m.mine ? 'You' : m.senderName}</span>{' '}
                <span className="muted">
                  {m.roomId !== roomId && `in ${roomsById[m.roomId]?.name ?? 'another room'}, `}
                  {dateTime(m.ts)}
                </span>
              </p>
              <p className="message-text">
                {highlightParts(m.text, search.query).map((part, i) =>
                  part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
                )}
              </p>
              <button
                type="button"
                className="link"
                onClick={() =>
                  void revealMessage(m).then((found) => setNotFound(found ? null : m.id))
                }
                data-testid="show-in-conversation"
              >
                Show in conversation
              </button>
              {notFound === m.id && (
                <p className="error" role="alert">
                  This message is no longer in the room’s history.
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </SidePanel>
  );
}
