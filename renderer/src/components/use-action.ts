// The state of one user action that asks the node for something: busy while it runs, and the
// node's refusal in words afterwards (cleared when the action runs again).
import { useCallback, useState } from 'react';
import type { Outcome } from '../store/outcome';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T>(action: () => Promise<Outcome<T>>): Promise<Outcome<T>> => {
    setBusy(true);
    setError(null);
    const result = await action();
    setBusy(false);
    if (!result.ok) setError(result.error);
    return result;
  }, []);
  return { busy, error, setError, run };
}
