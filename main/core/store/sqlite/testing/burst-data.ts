/**
 * The writes of one step of the write burst (write-burst.ts), derived from the step number
 * alone, so the test that kills the writer can tell exactly what each acknowledged step wrote.
 */
import { createHash } from 'node:crypto';
import type { ControlOpRecord, DeliveryRecord, MessageRecord } from '../../store';

export const BURST_ROOM = 'burst-room';
export const BURST_SENDER = 'BURST-SENDER';
/** The peer each step's delivery record is about. */
export const BURST_PEER = 'BURST-PEER';
/** Messages written per step, in one addMessages call. */
export const MESSAGES_PER_STEP = 3;
/** A fixed clock, so that nothing depends on when the test runs (ms). */
const BASE_TIME_MS = 1_700_000_000_000;

function hash(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** A word that occurs in exactly one message: the search index must find it. */
export function burstWord(step: number, index: number): string {
  return `burstword${step}x${index}`;
}

export function burstStep(step: number): {
  messages: MessageRecord[];
  ops: ControlOpRecord[];
  /** The peer holds the messages up to this step's last. */
  delivery: DeliveryRecord;
} {
  const messages = Array.from({ length: MESSAGES_PER_STEP }, (_, index): MessageRecord => {
    const seq = (step - 1) * MESSAGES_PER_STEP + index + 1;
    const label = `burst/message/${seq}`;
    return {
      id: hash(label),
      roomId: BURST_ROOM,
      sender: BURST_SENDER,
      seq,
      lamport: seq,
      ts: BASE_TIME_MS + seq,
      envelope: new TextEncoder().encode(`${label} ${'x'.repeat(200)}`),
      text: `step ${step} says ${burstWord(step, index)} ${'and some padding '.repeat(4)}`,
      receivedAt: BASE_TIME_MS + seq,
    };
  });
  // One op per step, two on even steps, so batches of different sizes are covered.
  const ops = Array.from({ length: step % 2 === 0 ? 2 : 1 }, (_, index): ControlOpRecord => {
    const label = `burst/op/${step}/${index}`;
    return {
      hash: hash(label),
      roomId: BURST_ROOM,
      author: BURST_SENDER,
      lamport: step,
      bytes: new TextEncoder().encode(label),
      receivedAt: BASE_TIME_MS + step,
    };
  });
  const delivery = { roomId: BURST_ROOM, peer: BURST_PEER, heldUpTo: step * MESSAGES_PER_STEP };
  return { messages, ops, delivery };
}
