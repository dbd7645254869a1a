"use client";

import { useRef, useState, useTransition } from "react";
import { rotateKeyAction } from "@/app/(portal)/keys/actions";
import { Button } from "@/components/ui/button";
import { useRevealKey } from "./reveal-context";

const GRACE = [
  { value: "now", label: "Immediately" },
  { value: "1h", label: "In 1 hour" },
  { value: "24h", label: "In 24 hours" },
  { value: "7d", label: "In 7 days" },
] as const;

/** "Rotate" issues a new secret with the same settings; the old one keeps working for the chosen grace period. */
export function RotateKeyButton({ id, name, prefix }: { id: string; name: string; prefix: string }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const reveal = useRevealKey();
  const [pending, startTransition] = useTransition();
  const p = `rotate-${id}`;

  function close() {
    dialogRef.current?.close();
  }

  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        aria-label={`Rotate ${name}`}
        onClick={() => {
          setError(null);
          dialogRef.current?.showModal();
        }}
      >
        Rotate
      </Button>
      <dialog
        ref={dialogRef}
        aria-labelledby={`${p}-title`}
        className="m-auto w-[min(34rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <div className="space-y-4 p-6 text-left whitespace-normal">
          <h2 id={`${p}-title`} className="text-lg font-semibold">
            Rotate “{name}”
          </h2>
          <form
              className="space-y-4"
              onSubmit={(event) => {
                event.preventDefault();
                const grace = String(new FormData(event.currentTarget).get("grace") ?? "now");
                startTransition(async () => {
                  const result = await rotateKeyAction(id, grace).catch(() => ({ ok: false as const, error: "Something went wrong. Please try again." }));
                  if (result.ok) {
                    close();
                    reveal({ key: result.key, name: result.name });
                  } else setError(result.error);
                });
              }}
            >
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                You get a new secret with the same name, limits and models. Until the old key <span className="font-mono">{prefix}…</span> stops
                working, its calls count on the new key, under one spend limit. It stops working:
              </p>
              <fieldset>
                <legend className="sr-only">When the old key stops working</legend>
                <div className="grid gap-2 sm:grid-cols-2">
                  {GRACE.map((g, index) => (
                    <label
                      key={g.value}
                      className="flex cursor-pointer items-center gap-2 rounded-lg border border-zinc-300 px-3 py-2 text-sm has-checked:border-indigo-600 has-checked:bg-indigo-50 dark:border-zinc-700 dark:has-checked:border-indigo-400 dark:has-checked:bg-indigo-950/60"
                    >
                      <input type="radio" name="grace" value={g.value} defaultChecked={index === 0} className="accent-indigo-600" />
                      {g.label}
                    </label>
                  ))}
                </div>
              </fieldset>
              {error ? (
                <p role="alert" className="text-sm text-red-700 dark:text-red-400">
                  {error}
                </p>
              ) : null}
              <div className="flex justify-end gap-3">
                <Button variant="secondary" onClick={close} disabled={pending} autoFocus>
                  Cancel
                </Button>
                <Button type="submit" disabled={pending}>
                  {pending ? "Rotating…" : "Rotate key"}
                </Button>
              </div>
            </form>
        </div>
      </dialog>
    </>
  );
}
