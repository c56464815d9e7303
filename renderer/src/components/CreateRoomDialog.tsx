// "New room": a room's settings, then the room opens. The creator becomes its owner.
import { useState } from 'react';
import { useAppStore } from '../store/store-context';
import { FormDialog } from './FormDialog';
import { capacityOf, emptyRoomForm, RoomFormFields } from './RoomFormFields';
import { useAction } from './use-action';

export function CreateRoomDialog({ onClose }: { onClose(): void }) {
  const createRoom = useAppStore((s) => s.createRoom);
  const selectRoom = useAppStore((s) => s.selectRoom);
  const [form, setForm] = useState(emptyRoomForm);
  const { busy, error, run } = useAction();

  const submit = async (): Promise<void> => {
    const isPublic = form.visibility === 'public';
    const result = await run(() =>
      createRoom({
        name: form.name,
        topic: form.topic,
        visibility: form.visibility,
        ...(isPublic && form.password ? { password: form.password } : {}),
        capacity: capacityOf(form),
        historyShared: form.historyShared,
      }),
    );
    if (!result.ok) return;
    onClose();
    selectRoom(result.value.id);
  };

  return (
    <FormDialog
      title="New room"
      testId="create-room-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submitLabel="Create room"
      busyLabel="Creating…"
      busy={busy}
      canSubmit={form.name.trim() !== ''}
      error={error}
    >
      <RoomFormFields value={form} onChange={setForm} disabled={busy} />
    </FormDialog>
  );
}
