/**
 * ApiRouter: the node's one implementation of shared/api.ts. Every adapter (Electron IPC,
 * the web GUI's WebSocket, the local REST API, the CLI) hands it an untrusted command name and
 * untrusted arguments; it validates both against the contract, runs the handler, checks the
 * result against the contract too, and always answers with a Result, never a thrown error.
 *
 * Events go the other way: the node calls `emit`, and every subscriber gets a validated payload.
 */
import {
  commands,
  events,
  isCommandName,
  type CommandName,
  type CommandResult,
  type EventName,
  type EventPayload,
  type ParsedCommandArgs,
} from '../../../shared/api';
import { fail, ok, toErrorInfo, type Result } from '../../../shared/errors';
import type { z } from 'zod';
import type { Logger } from '../log/logger';

export type CommandHandlers = {
  [N in CommandName]: (args: ParsedCommandArgs<N>) => Promise<CommandResult<N>> | CommandResult<N>;
};

type AnyListener = (payload: unknown) => void;

export class ApiRouter {
  private readonly listeners = new Map<EventName, Set<AnyListener>>();

  constructor(
    private readonly handlers: CommandHandlers,
    private readonly log: Logger,
  ) {}

  /** Validates and runs one command. Never throws. */
  async invoke(name: unknown, args: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) return fail('UNKNOWN_COMMAND', `Unknown command: ${String(name)}`);
    const parsed = commands[name].args.safeParse(args ?? {});
    if (!parsed.success) return fail('BAD_REQUEST', describeIssues(parsed.error));
    try {
      const handler = this.handlers[name] as (a: unknown) => unknown;
      const value = await handler(parsed.data);
      // A result that breaks the contract is our bug, not the caller's: report it as INTERNAL.
      const checked = commands[name].result.safeParse(value);
      if (!checked.success) {
        this.log.error('api.result_invalid', {
          command: name,
          issues: describeIssues(checked.error),
        });
        return fail('INTERNAL');
      }
      return ok(checked.data);
    } catch (err) {
      const info = toErrorInfo(err);
      if (info.code === 'INTERNAL') this.log.error('api.handler_failed', { command: name, err });
      return { ok: false, error: info };
    }
  }

  /** Subscribes to one event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as AnyListener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** Subscribes to every event, for bridges that forward all of them. */
  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    const offs = (Object.keys(events) as EventName[]).map((e) => this.on(e, (p) => listener(e, p)));
    return () => offs.forEach((off) => off());
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload);
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(checked);
      } catch (err) {
        this.log.error('api.listener_failed', { event, err });
      }
    }
  }
}

/**
 * Words for the person who made the call. Messages written for people in shared/api.ts are
 * whole sentences and stand alone; zod's generic ones get the field name in front.
 */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) =>
      i.path.length && !/[.!?]$/.test(i.message) ? `${i.path.join('.')}: ${i.message}` : i.message,
    )
    .join(' ');
}
