"use client";

import { useActionState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import type { ButtonSize, ButtonVariant } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type ActionState } from "./action-state";

/**
 * One button posting hidden fields to a server action, with the answer (what was done, or what went
 * wrong in words) announced beside it. Used for every subscription action on the Plans page.
 */
export function ActionForm({
  action,
  fields,
  label,
  pendingText,
  variant = "secondary",
  size = "sm",
  className,
  children,
  accessibleLabel,
}: {
  action: (previous: ActionState, formData: FormData) => Promise<ActionState>;
  fields: Record<string, string>;
  label: string;
  pendingText?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  className?: string;
  children?: ReactNode;
  accessibleLabel?: string;
}) {
  const [state, formAction] = useActionState(action, IDLE);
  return (
    <form action={formAction} className={className ?? "space-y-2"}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <SubmitButton variant={variant} size={size} pendingText={pendingText} aria-label={accessibleLabel}>
        {label}
      </SubmitButton>
      <div aria-live="polite">
        {state.status === "error" ? (
          <Alert tone="error" role="alert">
            {state.error}
          </Alert>
        ) : state.status === "ok" ? (
          <Alert tone="success" role="status">
            {state.message}
          </Alert>
        ) : null}
      </div>
    </form>
  );
}
