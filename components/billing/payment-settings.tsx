"use client";

import { useActionState } from "react";
import { saveAutoTopUp, saveLowBalanceAlert, type SettingsState } from "@/app/(portal)/billing/actions";
import { Alert } from "@/components/ui/alert";
import { FieldHint, Input, Label } from "@/components/ui/input";
import { useKeepValuesOnError } from "@/components/ui/keep-values";
import { SubmitButton } from "@/components/ui/submit-button";

export interface PaymentSettingsProps {
  /** Dollar strings ("5.00"), or "" when unset. */
  autoTopUp: { enabled: boolean; threshold: string; amount: string; cap: string; hasSavedCard: boolean; notice: string | null };
  alertThreshold: string;
}

function Status({ state }: { state: SettingsState }) {
  if (state.error) {
    return (
      <Alert tone="error" role="alert">
        {state.error}
      </Alert>
    );
  }
  return (
    <p role="status" className="min-h-5 text-sm text-emerald-700 dark:text-emerald-400">
      {state.saved ? "Saved." : ""}
    </p>
  );
}

export function AutoTopUpForm({ autoTopUp }: Pick<PaymentSettingsProps, "autoTopUp">) {
  const [state, action, pending] = useActionState<SettingsState, FormData>(saveAutoTopUp, { error: null, saved: false });
  const keep = useKeepValuesOnError(state, action, (s) => s.saved);
  return (
    <form action={action} ref={keep.ref} onSubmit={keep.onSubmit} className="space-y-4" aria-describedby="auto-top-up-help">
      <p id="auto-top-up-help" className="text-sm text-zinc-600 dark:text-zinc-400">
        When a request leaves your available balance below the threshold, your saved card is charged for the amount.
      </p>
      {autoTopUp.notice ? (
        <Alert tone="warning" title="Auto top-up is off">
          {autoTopUp.notice}
        </Alert>
      ) : null}
      {!autoTopUp.hasSavedCard ? (
        <Alert tone="info">No saved card yet: tick “Save this card for auto top-up” on your next top-up.</Alert>
      ) : null}
      <label className="flex items-center gap-2 text-sm font-medium text-zinc-800 dark:text-zinc-200">
        <input type="checkbox" name="enabled" value="1" defaultChecked={autoTopUp.enabled} disabled={!autoTopUp.hasSavedCard} className="size-4 accent-indigo-600" />
        Turn on auto top-up
      </label>
      <div className="grid gap-4 sm:grid-cols-3">
        <div>
          <Label htmlFor="auto-threshold">When below (USD)</Label>
          <Input id="auto-threshold" name="threshold" inputMode="decimal" className="mt-1" defaultValue={autoTopUp.threshold || "5.00"} />
        </div>
        <div>
          <Label htmlFor="auto-amount">Add (USD)</Label>
          <Input id="auto-amount" name="amount" inputMode="decimal" className="mt-1" defaultValue={autoTopUp.amount || "20.00"} />
        </div>
        <div>
          <Label htmlFor="auto-cap">Monthly cap (USD)</Label>
          <Input id="auto-cap" name="cap" inputMode="decimal" className="mt-1" defaultValue={autoTopUp.cap} placeholder="No cap" aria-describedby="auto-cap-hint" />
          <FieldHint id="auto-cap-hint">Most auto top-ups in a calendar month.</FieldHint>
        </div>
      </div>
      <Status state={state} />
      <SubmitButton pending={pending} pendingText="Saving…">Save auto top-up</SubmitButton>
    </form>
  );
}

export function LowBalanceAlertForm({ alertThreshold }: Pick<PaymentSettingsProps, "alertThreshold">) {
  const [state, action, pending] = useActionState<SettingsState, FormData>(saveLowBalanceAlert, { error: null, saved: false });
  const keep = useKeepValuesOnError(state, action, (s) => s.saved);
  return (
    <form action={action} ref={keep.ref} onSubmit={keep.onSubmit} className="space-y-4">
      <div>
        <Label htmlFor="alert-threshold">Email me when my available balance drops below (USD)</Label>
        <Input id="alert-threshold" name="alertThreshold" inputMode="decimal" className="mt-1 max-w-48" defaultValue={alertThreshold} placeholder="Off" aria-describedby="alert-hint" />
        <FieldHint id="alert-hint">One email each time the balance crosses it, plus a banner here. Leave empty to turn it off.</FieldHint>
      </div>
      <Status state={state} />
      <SubmitButton pending={pending} pendingText="Saving…">Save alert</SubmitButton>
    </form>
  );
}
