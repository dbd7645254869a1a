"use client";

import clsx from "clsx";
import { useActionState, useState, type ReactNode } from "react";
import { ConfirmAction } from "@/components/admin/confirm-action";
import type { ActionResult } from "@/components/admin/form-state";
import { AnswerAlert } from "@/components/ui/alert";
import type { ButtonSize, ButtonVariant } from "@/components/ui/button";
import { SubmitButton } from "@/components/ui/submit-button";
import { IDLE, type ActionState } from "./action-state";

/** What the confirmation dialog says before an action that charges, or ends, something. */
export interface Confirmation {
  title: string;
  /** What will happen and what it costs, in words. */
  description: string;
  confirmLabel: string;
  /** The button that backs out, saying what that keeps ("Keep my plan"), never a bare "Cancel". */
  dismissLabel: string;
  /** The confirm button's look: "danger" for what ends something (the trigger then stays secondary). */
  variant?: ButtonVariant;
}

/**
 * One button posting hidden fields to a server action, with the answer (what was done, or what went
 * wrong in words) announced beside it. Used for every subscription action on the Plans page. With
 * `confirm`, the button opens the portal's confirmation dialog (ConfirmAction) and the action runs only
 * from its confirm button; an error is shown in the dialog, the answer beside the button as usual.
 * Buttons wrap their label rather than let it overflow (the shared button never wraps).
 */
export function ActionForm({
  action,
  fields,
  label,
  pendingText,
  variant = "secondary",
  size = "sm",
  fullWidth = false,
  className,
  children,
  accessibleLabel,
  confirm,
}: {
  action: (previous: ActionState, formData: FormData) => Promise<ActionState>;
  fields: Record<string, string>;
  label: string;
  pendingText?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  fullWidth?: boolean;
  className?: string;
  children?: ReactNode;
  accessibleLabel?: string;
  confirm?: Confirmation;
}) {
  const [formState, formAction] = useActionState(action, IDLE);
  // The confirmed action's answer, shown until the form answers something newer: the same button may
  // switch between the two ways (cancel asks first, keeping does not), and its answer should stay.
  const [confirmed, setConfirmed] = useState<{ state: ActionState; over: ActionState } | null>(null);
  const state = confirmed && confirmed.over === formState ? confirmed.state : formState;
  // An answer stays beside its button through the change its own action makes (the action's result
  // arrives just before the page's new state: "Cancel at period end" becomes "Keep my plan") but not
  // through the next one, made elsewhere: "Your plan ends…" must not come back once an upgrade has
  // called the cancellation off.
  const signature = `${label}\n${JSON.stringify(fields)}`;
  const [answered, setAnswered] = useState<{ state: ActionState; signature: string; changes: number } | null>(null);
  if (state.status !== "idle" && answered?.state !== state) setAnswered({ state, signature, changes: 0 });
  else if (answered && answered.signature !== signature) setAnswered({ ...answered, signature, changes: answered.changes + 1 });
  const current = answered?.state === state && answered.changes <= 1;

  // A confirmed action's error is shown in its dialog, not again here.
  const shown = !current || (state.status === "error" && confirm && confirmed?.state === state) ? IDLE : state;
  const answer = <AnswerAlert answer={shown} />;

  const run = async (): Promise<ActionResult> => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    const result = await action(IDLE, form);
    setConfirmed({ state: result, over: formState });
    return result.status === "error" ? { ok: false, error: result.error } : { ok: true };
  };

  // One root and one live region for both ways, so an answer is announced even when the button has
  // just switched from one way to the other.
  return (
    <div
      className={clsx(
        className ?? "space-y-2",
        // ConfirmAction's trigger is a small button that never wraps: size and wrap it here (it is a
        // direct child; the dialog's own buttons are deeper).
        confirm && "[&>button]:h-auto [&>button]:text-center [&>button]:whitespace-normal",
        confirm && (size === "sm" ? "[&>button]:min-h-8 [&>button]:py-1" : "[&>button]:min-h-10 [&>button]:px-4 [&>button]:py-2"),
        confirm && fullWidth && "[&>button]:w-full",
      )}
    >
      {confirm ? (
        <>
          {children}
          <ConfirmAction
            action={run}
            label={label}
            accessibleLabel={accessibleLabel}
            title={confirm.title}
            description={confirm.description}
            confirmLabel={confirm.confirmLabel}
            dismissLabel={confirm.dismissLabel}
            variant={confirm.variant ?? variant}
          />
        </>
      ) : (
        <form action={formAction} className="space-y-2">
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {children}
          <SubmitButton
            variant={variant}
            size={size}
            pendingText={pendingText}
            aria-label={accessibleLabel}
            className={clsx("h-auto! text-center whitespace-normal!", size === "sm" ? "min-h-8 py-1" : "min-h-10 py-2", fullWidth && "w-full")}
          >
            {label}
          </SubmitButton>
        </form>
      )}
      {answer}
    </div>
  );
}
