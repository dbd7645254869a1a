"use client";

import { useActionState, type ReactNode } from "react";
import { AnswerAlert } from "@/components/ui/alert";
import { useKeepValuesOnError } from "@/components/ui/keep-values";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type FormState } from "./form-state";

/**
 * A form posting to a server action; the answer (an error in words, or what was done) is announced
 * above the submit button. Fields are the children, rendered on the server.
 */
export function AdminForm({
  action,
  children,
  submitLabel,
  pendingText,
  className,
  variant = "primary",
}: {
  action: (previous: FormState, formData: FormData) => Promise<FormState>;
  children: ReactNode;
  submitLabel: string;
  pendingText?: string;
  className?: string;
  variant?: "primary" | "danger" | "secondary";
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const keep = useKeepValuesOnError(state, formAction, (s) => s.status === "ok");
  return (
    <form action={formAction} ref={keep.ref} onSubmit={keep.onSubmit} className={className ?? "space-y-4"}>
      {children}
      <AnswerAlert answer={state} />
      <SubmitButton pending={pending} variant={variant} pendingText={pendingText}>
        {submitLabel}
      </SubmitButton>
    </form>
  );
}
