// The edit state of a Settings form: the draft while the user edits (null otherwise, so that
// the form shows the node's settings and a settings.updated from elsewhere shows at once), the
// refusal in words, and whether the last save went through.
import { useState } from 'react';
import type { Outcome } from '../store/outcome';

export function useSettingsDraft<D extends object>() {
  const [draft, setDraft] = useState<D | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  return {
    draft,
    error,
    saved,
    /** Changes some fields of the shown values. */
    edit(shown: D, change: Partial<D>): void {
      setDraft({ ...shown, ...change });
      setSaved(false);
    },
    /** Runs the save; on success the form shows the node's settings again. */
    async save(run: () => Promise<Outcome>): Promise<void> {
      setError(null);
      const result = await run();
      if (!result.ok) return setError(result.error);
      setDraft(null);
      setSaved(true);
    },
  };
}
