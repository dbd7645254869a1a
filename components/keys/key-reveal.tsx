"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";

/** The new key, shown once. It lives only in this component's state and is gone when dismissed. */
export function KeyReveal({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const panelRef = useRef<HTMLDivElement>(null);
  const codeRef = useRef<HTMLElement>(null);

  useEffect(() => {
    panelRef.current?.focus();
  }, [secret]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("copied");
      setTimeout(() => setCopied("idle"), 2500);
    } catch {
      // No clipboard access (e.g. an insecure origin): select the text so Ctrl+C works.
      const node = codeRef.current;
      if (node) window.getSelection()?.selectAllChildren(node);
      setCopied("failed");
    }
  }

  return (
    <div
      ref={panelRef}
      tabIndex={-1}
      role="region"
      aria-labelledby="new-key-heading"
      className="rounded-xl border-2 border-emerald-500 bg-emerald-50 p-4 outline-none dark:border-emerald-600 dark:bg-emerald-950/50"
    >
      <h3 id="new-key-heading" className="font-semibold text-emerald-900 dark:text-emerald-100">
        Your new key “{name}”
      </h3>
      <p className="mt-1 text-sm font-medium text-emerald-900 dark:text-emerald-100">Copy this key now. You won&apos;t be able to see it again.</p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-center">
        <code
          ref={codeRef}
          data-testid="new-key"
          className="block min-w-0 flex-1 rounded-lg border border-emerald-300 bg-white px-3 py-2 font-mono text-sm break-all text-zinc-900 dark:border-emerald-800 dark:bg-zinc-950 dark:text-zinc-100"
        >
          {secret}
        </code>
        <Button onClick={copy} className="shrink-0">
          {copied === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      <p aria-live="polite" className="mt-2 min-h-5 text-sm text-emerald-900 dark:text-emerald-100">
        {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? "Couldn't copy automatically. The key is selected: press Ctrl+C (⌘C on a Mac)." : ""}
      </p>
      <Button variant="secondary" size="sm" className="mt-1" onClick={onDone}>
        I&apos;ve saved it
      </Button>
    </div>
  );
}
