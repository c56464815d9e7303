/**
 * What a store action that asks the node for something resolves to: the value, or the node's
 * refusal in words ready to show (and its code, for the few places that react to one, such as
 * WRONG_PASSWORD). Components show `error` as it is: the node's words are meant for users.
 */
import type { CommandArgs, CommandName, CommandResult, ParleyApi } from '../../../shared/api';
import type { ErrorCode } from '../../../shared/errors';

export type Outcome<T = void> =
  { ok: true; value: T } | { ok: false; error: string; code: ErrorCode | 'UNREACHABLE' };

const UNREACHABLE = 'Parley could not reach its node. Is it still running?';

/** Calls a command and reduces its Result to an Outcome; a broken connection becomes words too. */
export async function request<N extends CommandName>(
  api: ParleyApi,
  name: N,
  args: CommandArgs<N>,
): Promise<Outcome<CommandResult<N>>> {
  try {
    const result = await api.invoke(name, args);
    if (result.ok) return result;
    return { ok: false, error: result.error.message, code: result.error.code };
  } catch {
    return { ok: false, error: UNREACHABLE, code: 'UNREACHABLE' };
  }
}

/** An Outcome without its value, for actions whose callers only need to know how it went. */
export function done<T>(outcome: Outcome<T>): Outcome {
  return outcome.ok ? { ok: true, value: undefined } : outcome;
}
