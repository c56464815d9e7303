// The right column beside a room: a titled complementary region with a Close button.
import { useId, type ReactNode } from 'react';
import { useAppStore } from '../store/store-context';

export function SidePanel(props: { title: string; testId: string; children: ReactNode }) {
  const closePanel = useAppStore((s) => s.closePanel);
  const titleId = useId();
  return (
    <aside className="side-panel" aria-labelledby={titleId} data-testid={props.testId}>
      <div className="panel-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="ghost small" onClick={closePanel}>
          Close<span className="visually-hidden"> {props.title.toLowerCase()}</span>
        </button>
      </div>
      {props.children}
    </aside>
  );
}
