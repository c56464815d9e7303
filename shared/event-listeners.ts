/**
 * The subscriber list behind a client's `ParleyApi.on`, shared by the Electron preload and the
 * web GUI's browser client: subscribe to a contract event, get the function that undoes it, and
 * hand each arriving event to its subscribers.
 *
 * What must stay true: only names from the contract can be subscribed to (a typo throws at
 * once rather than waiting forever); one failing listener does not keep the others from
 * hearing the event.
 */
import { isEventName, type EventName, type ParleyApi } from './api';

type Listener = (payload: unknown) => void;

export interface EventListeners {
  on: ParleyApi['on'];
  /** Calls every listener of `event` with `payload`. */
  deliver(event: EventName, payload: unknown): void;
}

export function eventListeners(): EventListeners {
  const listeners = new Map<EventName, Set<Listener>>();
  return {
    on(event, listener) {
      if (!isEventName(event)) throw new TypeError(`Unknown event: ${String(event)}`);
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const entry = listener as Listener;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    deliver(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          listener(payload);
        } catch (err) {
          console.error(`parley: a listener for ${event} failed`, err);
        }
      }
    },
  };
}
