"use client";

import { useFormStatus } from "react-dom";
import { Button, type ButtonProps } from "./button";

/**
 * A submit button that disables itself (and says so) while its form's action runs. `pending` is for a
 * form that runs its action from onSubmit (useKeepValuesOnError), which useFormStatus does not see.
 */
export function SubmitButton({ children, pendingText, disabled, pending: running, ...props }: ButtonProps & { pendingText?: string; pending?: boolean }) {
  const status = useFormStatus();
  const pending = status.pending || running === true;
  return (
    <Button type="submit" disabled={pending || disabled} aria-disabled={pending || disabled} {...props}>
      {pending ? (pendingText ?? children) : children}
    </Button>
  );
}
