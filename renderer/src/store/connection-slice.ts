/**
 * The connection slice: whether the window can reach its node. Every command's answer tells:
 * NOT_RUNNING means the node did not answer (the desktop node stopped, or in a browser the
 * WebSocket is down, e.g. `parley serve` was restarted and has a new access token); any other
 * answer, even an error, means it is there.
 *
 * While contact is lost the store asks `node.status` now and again (see app-store.ts), and once
 * the node answers again it reloads everything, because events sent meanwhile were missed.
 */
import type { StateCreator } from 'zustand';
import type { ParleyApi } from '../../../shared/api';
import type { AppState } from './app-store';

export interface ConnectionSlice {
  connection: {
    /** The last command got no answer from the node. */
    lost: boolean;
  };
  /** Called with every command's outcome: answered by the node, or not. */
  nodeAnswered(answered: boolean): void;
}

export const createConnectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = (set) => ({
  connection: { lost: false },
  nodeAnswered(answered) {
    set((s) => (s.connection.lost === !answered ? s : { connection: { lost: !answered } }));
  },
});

/** The same API, reporting whether each command was answered by the node. */
export function watchAnswers(api: ParleyApi, report: (answered: boolean) => void): ParleyApi {
  return {
    async invoke(name, args) {
      const result = await api.invoke(name, args);
      report(result.ok || result.error.code !== 'NOT_RUNNING');
      return result;
    },
    on: (event, listener) => api.on(event, listener),
  };
}
