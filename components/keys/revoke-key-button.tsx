"use client";

import { useRef, useState, useTransition } from "react";
import { revokeKeyAction } from "@/app/(portal)/keys/actions";
import { Button } from "@/components/ui/button";

/** "Revoke" opens a confirmation dialog; only "Revoke key" in it does the revoking. */
export function RevokeKeyButton({ id, name, prefix }: { id: string; name: string; prefix: string }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const titleId = `revoke-title-${id}`;
  const descId = `revoke-desc-${id}`;

  function confirm() {
    startTransition(async () => {
      const result = await revokeKeyAction(id);
      if (result.ok) {
        dialogRef.current?.close();
      } else {
        setError(result.error);
      }
    });
  }

  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => {
          setError(null);
          dialogRef.current?.showModal();
        }}
        aria-label={`Revoke ${name}`}
      >
        Revoke
      </Button>
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        aria-describedby={descId}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <div className="p-6 text-left whitespace-normal">
          <h2 id={titleId} className="text-lg font-semibold">
            Revoke “{name}”?
          </h2>
          <p id={descId} className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            Requests using <span className="font-mono">{prefix}…</span> will be refused right away. This can&apos;t be undone.
          </p>
          {error ? (
            <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
              {error}
            </p>
          ) : null}
          <div className="mt-6 flex justify-end gap-3">
            <Button variant="secondary" onClick={() => dialogRef.current?.close()} disabled={pending} autoFocus>
              Cancel
            </Button>
            <Button variant="danger" onClick={confirm} disabled={pending}>
              {pending ? "Revoking…" : "Revoke key"}
            </Button>
          </div>
        </div>
      </dialog>
    </>
  );
}
