// The device ID in monospace, broken only between its groups, with a button that copies it.
import { Fragment, useEffect, useState } from 'react';

const COPIED_FOR_MS = 2000;

type CopyState = 'idle' | 'copied' | 'failed';

export function DeviceId({ deviceId }: { deviceId: string }) {
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    if (copy === 'idle') return;
    const timer = setTimeout(() => setCopy('idle'), COPIED_FOR_MS);
    return () => clearTimeout(timer);
  }, [copy]);

  const copyId = (): void => {
    navigator.clipboard.writeText(deviceId).then(
      () => setCopy('copied'),
      () => setCopy('failed'),
    );
  };

  const groups = deviceId.split('-');
  return (
    <div className="device-id">
      <code className="mono selectable" data-testid="device-id">
        {groups.map((group, i) => (
          <Fragment key={i}>
            {i > 0 && (
              <>
                -<wbr />
              </>
            )}
            {group}
          </Fragment>
        ))}
      </code>
      <button type="button" className="secondary" onClick={copyId}>
        {copy === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {copy === 'copied' ? 'Device ID copied.' : ''}
      </span>
      {copy === 'failed' && (
        <p className="error" role="alert">
          Could not copy. Select the ID and copy it by hand.
        </p>
      )}
    </div>
  );
}
