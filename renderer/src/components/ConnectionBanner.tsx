// Says so when the window cannot reach its node, instead of letting every action fail with the
// same words. The store keeps asking and reloads by itself once the node answers again.
import { useAppStore } from '../store/store-context';

export function ConnectionBanner() {
  const lost = useAppStore((s) => s.connection.lost);
  if (!lost) return null;
  return (
    <div className="connection-lost" role="alert" data-testid="connection-lost">
      <p>
        <strong>Parley has lost contact with its node.</strong> Trying again… Messages that could
        not be sent wait in their room for you to retry. If you restarted <code>parley serve</code>,
        open the new address it printed.
      </p>
    </div>
  );
}
