// Settings: this device (name, device ID, fingerprint), notifications, LAN discovery (group and
// port, applied at the next start), when room keys are renewed, peers added by address, and
// where the data is kept.
import { useState, type FormEvent } from 'react';
import { useAppStore } from '../store/store-context';
import { CheckboxField, Field, FormError, NumberField } from './Field';
import { AddPeerDialog } from './AddPeerDialog';
import { IdentityPanel } from './IdentityPanel';
import { KeyRenewalSettings } from './KeyRenewalSettings';
import { useAction } from './use-action';
import { useSettingsDraft } from './use-settings-draft';

export function SettingsView() {
  return (
    <main
      className="main padded settings"
      aria-labelledby="settings-title"
      data-testid="settings-view"
    >
      <h2 id="settings-title">Settings</h2>
      <IdentityPanel />
      <NotificationSettings />
      <DiscoverySettings />
      <KeyRenewalSettings />
      <ManualPeers />
      <DataFolder />
    </main>
  );
}

function NotificationSettings() {
  const settings = useAppStore((s) => s.settings.settings);
  const permission = useAppStore((s) => s.notifications.permission);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const requestPermission = useAppStore((s) => s.requestNotificationPermission);
  const [error, setError] = useState<string | null>(null);

  const toggle = async (notifications: boolean): Promise<void> => {
    setError(null);
    const result = await updateSettings({ notifications });
    if (!result.ok) return setError(result.error);
    if (notifications) await requestPermission();
  };

  return (
    <section className="card" aria-labelledby="notify-heading">
      <h3 id="notify-heading">Notifications</h3>
      <CheckboxField
        label="Show a notification for new messages"
        hint="For rooms that are not open and not muted. Mute a single room from its header."
        checked={settings?.notifications ?? true}
        disabled={!settings}
        onChange={(on) => void toggle(on)}
        testId="notifications-toggle"
      />
      {permission === 'denied' && (
        <p className="hint">
          This window is not allowed to show notifications. Allow them in your system or browser
          settings.
        </p>
      )}
      <FormError error={error} />
    </section>
  );
}

function DiscoverySettings() {
  const settings = useAppStore((s) => s.settings.settings);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const { draft, error, saved, edit, save } = useSettingsDraft<{ group: string; port: string }>();
  if (!settings) return null;
  const value = draft ?? { group: settings.discoveryGroup, port: String(settings.discoveryPort) };

  const submit = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    return save(() =>
      updateSettings({ discoveryGroup: value.group.trim(), discoveryPort: Number(value.port) }),
    );
  };

  return (
    <section className="card" aria-labelledby="discovery-heading">
      <h3 id="discovery-heading">LAN discovery</h3>
      <p className="hint">
        Parley finds other devices with a multicast announcement. Every device of a group must use
        the same group address and port.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="inline-fields">
        <Field label="Multicast group" hint="239.x.y.z">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="text"
              value={value.group}
              onChange={(e) => edit(value, { group: e.target.value })}
              aria-describedby={describedBy}
              spellCheck={false}
              data-testid="discovery-group-input"
            />
          )}
        </Field>
        <NumberField
          label="UDP port"
          hint="1024 to 65535"
          min={1024}
          max={65535}
          value={value.port}
          onChange={(port) => edit(value, { port })}
          testId="discovery-port-input"
        />
        <button type="submit" disabled={draft === null}>
          Save
        </button>
      </form>
      <FormError error={error} />
      <p className="hint" aria-live="polite" data-testid="restart-required">
        {settings.restartRequired
          ? 'Saved. The new group and port apply after Parley restarts.'
          : saved
            ? 'Saved.'
            : ''}
      </p>
    </section>
  );
}

function ManualPeers() {
  const manual = useAppStore((s) => s.peers.manual);
  const peersById = useAppStore((s) => s.peers.byId);
  const removeManualPeer = useAppStore((s) => s.removeManualPeer);
  const { error, run } = useAction();
  const [adding, setAdding] = useState(false);

  return (
    <section className="card" aria-labelledby="manual-heading">
      <h3 id="manual-heading">Peers added by address</h3>
      <p className="hint">
        For devices that LAN discovery does not reach. Parley keeps dialling them.
      </p>
      {manual.length === 0 ? (
        <p className="empty">None.</p>
      ) : (
        <ul className="manual-list" data-testid="manual-peers">
          {manual.map((m) => (
            <li key={m.address} className="manual-peer">
              <span className="mono">{m.address}</span>{' '}
              <span className="muted">
                {m.deviceId ? (peersById[m.deviceId]?.name ?? 'reached') : 'not reached yet'}
              </span>
              <button
                type="button"
                className="ghost small"
                onClick={() => void run(() => removeManualPeer(m.address))}
              >
                Remove<span className="visually-hidden"> {m.address}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={error} />
      <button type="button" className="secondary" onClick={() => setAdding(true)}>
        Add a peer by address
      </button>
      {adding && <AddPeerDialog onClose={() => setAdding(false)} />}
    </section>
  );
}

function DataFolder() {
  const status = useAppStore((s) => s.settings.status);
  if (!status) return null;
  return (
    <section className="card" aria-labelledby="data-heading">
      <h3 id="data-heading">This node</h3>
      <dl className="facts">
        <div className="fact">
          <dt>Data folder</dt>
          <dd className="mono selectable" data-testid="data-dir">
            {status.dataDir}
          </dd>
        </div>
        <div className="fact">
          <dt>Peer port</dt>
          <dd className="mono">{status.peerPort}</dd>
        </div>
        <div className="fact">
          <dt>LAN discovery</dt>
          <dd>{status.discovery ? 'On' : 'Off'}</dd>
        </div>
        <div className="fact">
          <dt>Version</dt>
          <dd>{status.version}</dd>
        </div>
      </dl>
    </section>
  );
}
