"use client";

import { useActionState } from "react";
import { createCodesAction, type CreateCodesState } from "@/app/(portal)/admin/codes/actions";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { FieldHint, Input, Label } from "@/components/ui/input";
import { useKeepValuesOnError } from "@/components/ui/keep-values";
import { SubmitButton } from "@/components/ui/submit-button";

/** Creates a batch and shows its codes once, with a CSV download (built in the browser; never stored). */
export function CreateCodesForm({ defaultExpiry, minDate }: { defaultExpiry: string; minDate: string }) {
  const [state, formAction, pending] = useActionState<CreateCodesState, FormData>(createCodesAction, { status: "idle" });
  const keep = useKeepValuesOnError(state, formAction, (s) => s.status === "created");
  const csv =
    state.status === "created" ? `code,amount,expires_at\r\n${state.codes.map((c) => `${c},${state.amount.replace(/[$,]/g, "")},${state.expiresAt}`).join("\r\n")}\r\n` : "";
  return (
    <div className="space-y-6">
      <form action={formAction} ref={keep.ref} onSubmit={keep.onSubmit} className="grid gap-4 sm:grid-cols-4 sm:items-end">
        <div>
          <Label htmlFor="amount">Worth (USD each)</Label>
          <Input id="amount" name="amount" inputMode="decimal" required placeholder="10.00" className="mt-1" />
        </div>
        <div>
          <Label htmlFor="count">How many</Label>
          <Input id="count" name="count" inputMode="numeric" required defaultValue="10" className="mt-1" />
        </div>
        <div>
          <Label htmlFor="expires">Redeemable until (UTC)</Label>
          <Input id="expires" name="expires" type="date" required min={minDate} defaultValue={defaultExpiry} className="mt-1" />
        </div>
        <SubmitButton pending={pending} pendingText="Creating…">Create codes</SubmitButton>
        <div className="sm:col-span-4">
          <FieldHint>Each code can be redeemed once, by one customer, on the Billing page.</FieldHint>
        </div>
      </form>
      <div aria-live="polite">
        {state.status === "error" ? (
          <Alert tone="error" role="alert">
            {state.error}
          </Alert>
        ) : null}
        {state.status === "created" ? (
          <Alert tone="warning" title={`${state.codes.length} code${state.codes.length === 1 ? "" : "s"} worth ${state.amount} each — copy or download them now`}>
            <p>They are shown only this once; Meterway keeps only a fingerprint of each.</p>
            <div className="mt-3 flex flex-wrap gap-2">
              <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`} download="meterway-codes.csv" className={buttonClasses({ variant: "secondary", size: "sm" })}>
                Download CSV
              </a>
              <CopyButton text={state.codes.join("\n")} label="Copy all" />
            </div>
            <ul className="mt-3 grid max-h-72 gap-1 overflow-auto font-mono text-sm sm:grid-cols-2" data-testid="new-codes">
              {state.codes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
      </div>
    </div>
  );
}
