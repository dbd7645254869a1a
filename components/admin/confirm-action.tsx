"use client";

import { useId, useRef, useState, useTransition } from "react";
import { Button, type ButtonVariant } from "@/components/ui/button";
import type { ActionResult } from "./form-state";

/**
 * A button that asks before doing something that matters; the server action runs only on "confirm".
 * `dismissLabel` names what backing out keeps ("Keep my plan", "Leave disabled"): a bare "Cancel" beside an
 * action that itself cancels something ("End my plan" after "Cancel at period end") reads both ways.
 */
export function ConfirmAction({
  action,
  label,
  accessibleLabel,
  title,
  description,
  confirmLabel,
  dismissLabel,
  variant = "danger",
}: {
  action: () => Promise<ActionResult>;
  label: string;
  accessibleLabel?: string;
  title: string;
  description: string;
  confirmLabel: string;
  /** The button that closes the dialog without acting. */
  dismissLabel: string;
  variant?: ButtonVariant;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const id = useId();

  function confirm() {
    startTransition(async () => {
      const result = await action();
      if (result.ok) dialogRef.current?.close();
      else setError(result.error);
    });
  }

  return (
    <>
      <Button
        variant={variant === "danger" ? "secondary" : variant}
        size="sm"
        aria-label={accessibleLabel}
        onClick={() => {
          setError(null);
          dialogRef.current?.showModal();
        }}
      >
        {label}
      </Button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-zinc-950/50 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <div className="p-6 text-left whitespace-normal">
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {title}
          </h2>
          <p id={`${id}-desc`} className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            {description}
          </p>
          {error ? (
            <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
              {error}
            </p>
          ) : null}
          <div className="mt-6 flex justify-end gap-3">
            <Button variant="secondary" onClick={() => dialogRef.current?.close()} disabled={pending} autoFocus>
              {dismissLabel}
            </Button>
            <Button variant={variant} onClick={confirm} disabled={pending}>
              {pending ? "Working…" : confirmLabel}
            </Button>
          </div>
        </div>
      </dialog>
    </>
  );
}
