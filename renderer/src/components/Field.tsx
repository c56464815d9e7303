// A labelled form field: the label, the control, and a hint tied to it by aria-describedby.
import { useId, type ReactNode } from 'react';

export interface FieldIds {
  id: string;
  describedBy: string | undefined;
}

export function Field(props: {
  label: string;
  hint?: ReactNode;
  children(ids: FieldIds): ReactNode;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, describedBy: props.hint ? hintId : undefined })}
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

/**
 * A labelled whole-number field. The value stays what was typed (a string), so that an empty
 * field is not taken for 0; the node checks the number and says in words what is wrong.
 */
export function NumberField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  min: number;
  max?: number;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <Field label={props.label} hint={props.hint}>
      {({ id, describedBy }) => (
        <input
          id={id}
          type="number"
          min={props.min}
          max={props.max}
          step={1}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          aria-describedby={describedBy}
          data-testid={props.testId}
        />
      )}
    </Field>
  );
}

/** A checkbox with its label beside it. */
export function CheckboxField(props: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
  disabled?: boolean;
  testId?: string;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="field checkbox-field">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-describedby={props.hint ? hintId : undefined}
        data-testid={props.testId}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The error of a form, announced when it appears. */
export function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" data-testid="form-error">
      {error}
    </p>
  );
}
