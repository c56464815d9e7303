/**
 * Which messages of a batch are too far ahead of a room's clock to take now (docs/PROTOCOL.md §9,
 * 'lamport-too-far'). A member signs whatever Lamport time they like; a receiver that took any
 * would let one member push the room's clock to MAX_LAMPORT, after which nobody could send.
 * Taking a message only when its time is at most `window` above the clock bounds how far each
 * message received can move the clock.
 *
 * What must stay true:
 * - Honest traffic is only ever refused for now: an honest message's time is one more than
 *   something its sender had seen, so once the receiver holds that, the message fits.
 * - A batch is judged in Lamport order, each message against the clock the ones before it
 *   advanced, so a catch-up of many messages fits in one batch whatever its order on the wire.
 */

/**
 * The messages of `messages` whose Lamport time is more than `window` above `clock`, the clock
 * being advanced by each message of the batch with a lower time that is not refused.
 */
export function tooFarAhead<T extends { lamport: number }>(
  messages: readonly T[],
  clock: number,
  window: number,
): Set<T> {
  const byTime = [...messages].sort((a, b) => a.lamport - b.lamport);
  let reach = clock;
  for (let i = 0; i < byTime.length; i++) {
    const lamport = byTime[i]!.lamport;
    // Sorted: once one is out of reach, so is every later one (the clock no longer moves).
    if (lamport > reach + window) return new Set(byTime.slice(i));
    reach = Math.max(reach, lamport);
  }
  return new Set();
}
