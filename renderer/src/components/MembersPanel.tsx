// Members of a room with their roles and presence; for admins, invite, promote/demote, remove,
// ban and unban; for everyone, leave. Every action asks first and shows the node's refusal.
import { useState } from 'react';
import type { RoomDetails, RoomMember } from '../../../shared/api';
import { isAdminRole, roleLabel } from '../lib/format';
import { useAppStore } from '../store/store-context';
import type { Outcome } from '../store/outcome';
import { ConfirmDialog } from './ConfirmDialog';
import { InviteDialog } from './InviteDialog';
import { SidePanel } from './SidePanel';

interface PendingConfirm {
  title: string;
  text: string;
  confirmLabel: string;
  danger: boolean;
  run(): Promise<Outcome>;
}

export function MembersPanel({ roomId }: { roomId: string }) {
  const details = useAppStore((s) => s.rooms.details[roomId]);
  const me = useAppStore((s) => s.identity.info?.deviceId);
  const memberAction = useAppStore((s) => s.memberAction);
  const setMemberRole = useAppStore((s) => s.setMemberRole);
  const leaveRoom = useAppStore((s) => s.leaveRoom);
  const [confirm, setConfirm] = useState<PendingConfirm | null>(null);
  const [inviting, setInviting] = useState(false);

  if (!details) {
    return (
      <SidePanel title="Members" testId="members-panel">
        <p className="muted">Loading members…</p>
      </SidePanel>
    );
  }

  // A DM is two people for good: nobody invites, removes or bans there.
  const admin = isAdminRole(details.myRole) && details.kind === 'room';
  const isOwner = details.myRole === 'owner';
  const ask = (c: PendingConfirm): void => setConfirm(c);

  const actionsFor = (m: RoomMember) => {
    if (!admin || m.deviceId === me || m.role === 'owner') return null;
    const canRole = isOwner;
    return (
      <div className="member-actions">
        {canRole && (
          <button
            type="button"
            className="ghost small"
            onClick={() =>
              ask({
                title: m.role === 'admin' ? `Make ${m.name} a member?` : `Make ${m.name} an admin?`,
                text:
                  m.role === 'admin'
                    ? `${m.name} will no longer be able to invite, remove or ban members.`
                    : `${m.name} will be able to invite, remove and ban members and renew the key.`,
                confirmLabel: m.role === 'admin' ? 'Make member' : 'Make admin',
                danger: false,
                run: () =>
                  setMemberRole(roomId, m.deviceId, m.role === 'admin' ? 'member' : 'admin'),
              })
            }
          >
            {m.role === 'admin' ? 'Demote' : 'Promote'}
            <span className="visually-hidden"> {m.name}</span>
          </button>
        )}
        <button
          type="button"
          className="ghost small"
          onClick={() =>
            ask({
              title: `Remove ${m.name}?`,
              text: `${m.name} leaves the room and the room key is renewed, so they cannot read what follows. They can be invited again.`,
              confirmLabel: 'Remove',
              danger: true,
              run: () => memberAction('kick', roomId, m.deviceId),
            })
          }
        >
          Remove<span className="visually-hidden"> {m.name}</span>
        </button>
        <button
          type="button"
          className="ghost small danger-text"
          onClick={() =>
            ask({
              title: `Ban ${m.name}?`,
              text: `${m.name} is removed, the room key is renewed, and they cannot join again until unbanned.`,
              confirmLabel: 'Ban',
              danger: true,
              run: () => memberAction('ban', roomId, m.deviceId),
            })
          }
        >
          Ban<span className="visually-hidden"> {m.name}</span>
        </button>
      </div>
    );
  };

  return (
    <SidePanel title="Members" testId="members-panel">
      {admin && details.myRole !== null && (
        <button type="button" onClick={() => setInviting(true)} data-testid="invite-member">
          Invite a peer
        </button>
      )}
      <ul className="member-list" aria-label={`${details.members.length} members`}>
        {details.members.map((m) => (
          <li key={m.deviceId} className="member" data-testid="member" data-device-id={m.deviceId}>
            <div className="member-line">
              <span className={`presence ${m.online ? 'online' : 'offline'}`} aria-hidden="true" />
              <span className="member-name">
                {m.name}
                {m.deviceId === me && ' (you)'}
              </span>
              <span className="visually-hidden">, {m.online ? 'online' : 'offline'}</span>
              <span className="tag" data-testid="member-role">
                {roleLabel(m.role)}
              </span>
            </div>
            {actionsFor(m)}
          </li>
        ))}
      </ul>
      <BannedList details={details} admin={admin} onAsk={ask} />
      {details.myRole !== null && (
        <button
          type="button"
          className="danger"
          onClick={() =>
            ask({
              title: `Leave ${details.name}?`,
              text: 'You will stop receiving its messages. To come back, an admin must invite you (or join again if it is public).',
              confirmLabel: 'Leave room',
              danger: true,
              run: () => leaveRoom(roomId),
            })
          }
          data-testid="leave-room"
        >
          Leave room
        </button>
      )}
      {inviting && <InviteDialog details={details} onClose={() => setInviting(false)} />}
      {confirm && (
        <ConfirmDialog
          title={confirm.title}
          confirmLabel={confirm.confirmLabel}
          danger={confirm.danger}
          onConfirm={confirm.run}
          onClose={() => setConfirm(null)}
        >
          <p>{confirm.text}</p>
        </ConfirmDialog>
      )}
    </SidePanel>
  );
}

function BannedList(props: {
  details: RoomDetails;
  admin: boolean;
  onAsk(c: PendingConfirm): void;
}) {
  const memberAction = useAppStore((s) => s.memberAction);
  const { details, admin, onAsk } = props;
  if (details.banned.length === 0) return null;
  return (
    <section aria-labelledby="banned-heading" className="panel-section">
      <h3 id="banned-heading">Banned</h3>
      <ul className="member-list">
        {details.banned.map((b) => (
          <li key={b.deviceId} className="member" data-testid="banned-member">
            <div className="member-line">
              <span className="member-name">{b.name}</span>
              {admin && (
                <button
                  type="button"
                  className="ghost small"
                  onClick={() =>
                    onAsk({
                      title: `Unban ${b.name}?`,
                      text: `${b.name} will be able to be invited or join again.`,
                      confirmLabel: 'Unban',
                      danger: false,
                      run: () => memberAction('unban', details.id, b.deviceId),
                    })
                  }
                >
                  Unban<span className="visually-hidden"> {b.name}</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
