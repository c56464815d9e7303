/**
 * A ParleyApi for store tests: scripted answers per command, a log of calls, and events the
 * test emits as the node would. A command without a script fails the test loudly.
 */
import type {
  CommandArgs,
  CommandName,
  CommandResult,
  EventName,
  EventPayload,
  ParleyApi,
} from '../../../../shared/api';
import type { ErrorCode, Result } from '../../../../shared/errors';

export type Handler = (args: never) => Result<unknown>;
export type Handlers = { [N in CommandName]?: (args: CommandArgs<N>) => Result<CommandResult<N>> };

export function fakeApi(handlers: Handlers) {
  const calls: Array<{ name: CommandName; args: unknown }> = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const api: ParleyApi = {
    async invoke<N extends CommandName>(name: N, args: CommandArgs<N>) {
      calls.push({ name, args });
      const handler = handlers[name] as
        ((a: CommandArgs<N>) => Result<CommandResult<N>>) | undefined;
      if (!handler) throw new Error(`unexpected command ${name}`);
      return handler(args);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void =>
    listeners.get(event)?.forEach((l) => l(payload));
  const listenerCount = (event: EventName): number => listeners.get(event)?.size ?? 0;
  const callsOf = (name: CommandName): unknown[] =>
    calls.filter((c) => c.name === name).map((c) => c.args);
  return { api, calls, callsOf, emit, listenerCount };
}

export const okResult = <T>(value: T): Result<T> => ({ ok: true, value });
export const failResult = (code: ErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
