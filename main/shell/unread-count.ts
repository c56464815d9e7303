/**
 * The number on the app badge and in the tray: unread messages summed over the rooms that are
 * not muted, kept current from the node's room events.
 *
 * Guarantees:
 * - The count starts from one `rooms.list` and follows `room.updated` (a room's new summary
 *   replaces the old one) and `room.removed` (the room no longer counts).
 * - Events that arrive while the first list is on its way are applied after it, so a room
 *   updated in that window is never overwritten by the older listing.
 * - `onChange` hears only changes of the total (and the first total), never the same number
 *   twice in a row; nothing is heard after the returned stop function ran.
 *
 * Plain Node with no 'electron' import: tested against a fake event source.
 */
import type { EventPayload, RoomSummary } from '../../shared/api';

/** The part of a RoomSummary the count reads. */
export type Counted = Pick<RoomSummary, 'id' | 'unread' | 'muted'>;

/** The sum of unread messages in rooms that are not muted. */
export function unreadTotal(rooms: Iterable<Counted>): number {
  let total = 0;
  for (const room of rooms) if (!room.muted) total += Math.max(0, room.unread);
  return total;
}

/** What the counter needs from the node (the ApiRouter, adapted in app.ts). */
export interface RoomEventSource {
  listRooms(): Promise<readonly Counted[]>;
  onRoomUpdated(listener: (room: Counted) => void): () => void;
  onRoomRemoved(
    listener: (removed: Pick<EventPayload<'room.removed'>, 'roomId'>) => void,
  ): () => void;
}

type Change = { kind: 'updated'; room: Counted } | { kind: 'removed'; roomId: string };

/** Follows the unread total; returns the function that stops following. */
export function followUnreadTotal(
  source: RoomEventSource,
  onChange: (total: number) => void,
  onError: (err: unknown) => void = () => {},
): () => void {
  const rooms = new Map<string, Counted>();
  let pending: Change[] | undefined = []; // until the first list has arrived
  let last: number | undefined;
  let stopped = false;

  const apply = (change: Change): void => {
    if (change.kind === 'updated') rooms.set(change.room.id, change.room);
    else rooms.delete(change.roomId);
  };
  const publish = (): void => {
    const total = unreadTotal(rooms.values());
    if (stopped || total === last) return;
    last = total;
    onChange(total);
  };
  const receive = (change: Change): void => {
    if (pending) {
      pending.push(change);
      return;
    }
    apply(change);
    publish();
  };

  const offUpdated = source.onRoomUpdated((room) => receive({ kind: 'updated', room }));
  const offRemoved = source.onRoomRemoved(({ roomId }) => receive({ kind: 'removed', roomId }));

  source.listRooms().then(
    (list) => {
      for (const room of list) rooms.set(room.id, room);
      for (const change of pending ?? []) apply(change);
      pending = undefined;
      publish();
    },
    (err: unknown) => {
      // Without the list, count from the events alone rather than never.
      for (const change of pending ?? []) apply(change);
      pending = undefined;
      onError(err);
      publish();
    },
  );

  return () => {
    stopped = true;
    offUpdated();
    offRemoved();
  };
}

/** The tray's tooltip for an unread total. */
export function unreadLabel(total: number): string {
  if (total <= 0) return 'Parley';
  return `Parley: ${total} unread message${total === 1 ? '' : 's'}`;
}
