"use client";

import clsx from "clsx";
import { useActionState, useState, type FormEvent } from "react";
import { startTopUp, type TopUpState } from "@/app/(portal)/billing/actions";
import { Alert } from "@/components/ui/alert";
import { FieldError, FieldHint, Input, Label, describedBy } from "@/components/ui/input";
import { SubmitButton } from "@/components/ui/submit-button";
import { displayUsd } from "@/lib/money";
import { TOPUP_MAX_MICROS, TOPUP_MIN_MICROS, TOPUP_PRESETS_MICROS } from "@/lib/payments/limits";
import { parseTopUpAmount } from "./top-up-amount";

/** "$10.00" → "10.00", for the amount field. */
const fieldValue = (micros: bigint) => displayUsd(micros).replace(/^\$/, "").replace(/,/g, "");
/** "$10.00" → "$10", for the preset buttons. */
const shortLabel = (micros: bigint) => displayUsd(micros).replace(/\.00$/, "");

const PRESETS = TOPUP_PRESETS_MICROS.map((micros) => ({ value: fieldValue(micros), label: shortLabel(micros) }));

export function TopUpForm({ sandbox }: { sandbox: boolean }) {
  const [state, formAction] = useActionState<TopUpState, FormData>(startTopUp, { error: null });
  const [amount, setAmount] = useState(PRESETS[1]?.value ?? "");
  const [clientError, setClientError] = useState<string | null>(null);
  const error = clientError ?? state.error;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const result = parseTopUpAmount(amount);
    if (!result.ok) {
      event.preventDefault();
      setClientError(result.error);
    } else {
      setClientError(null);
    }
  }

  return (
    <form action={formAction} onSubmit={onSubmit} noValidate className="space-y-4">
      <fieldset>
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Choose an amount</legend>
        <div className="mt-2 grid grid-cols-4 gap-2">
          {PRESETS.map((preset) => {
            const selected = amount === preset.value;
            return (
              <button
                key={preset.value}
                type="button"
                aria-pressed={selected}
                onClick={() => {
                  setAmount(preset.value);
                  setClientError(null);
                }}
                className={clsx(
                  "h-10 rounded-lg border text-sm font-semibold transition-colors",
                  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500",
                  selected
                    ? "border-indigo-600 bg-indigo-50 text-indigo-800 dark:border-indigo-400 dark:bg-indigo-950 dark:text-indigo-200"
                    : "border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800",
                )}
              >
                {preset.label}
              </button>
            );
          })}
        </div>
      </fieldset>
      <div>
        <Label htmlFor="amount">Amount (USD)</Label>
        <div className="relative mt-1">
          <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-zinc-500">
            $
          </span>
          <Input
            id="amount"
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            className="pl-7"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              setClientError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy("amount-hint", error && "amount-error")}
          />
        </div>
        <FieldHint id="amount-hint">
          Between {displayUsd(TOPUP_MIN_MICROS)} and {displayUsd(TOPUP_MAX_MICROS)}.
        </FieldHint>
        <FieldError id="amount-error">{error}</FieldError>
      </div>
      {sandbox ? (
        <Alert tone="warning" title="Sandbox mode: no real money is charged">
          Add funds opens a test checkout page that credits your balance without a card.
        </Alert>
      ) : (
        <label className="flex items-start gap-2 text-sm text-zinc-700 dark:text-zinc-300">
          <input type="checkbox" name="saveCard" value="1" className="mt-0.5 size-4 accent-indigo-600" />
          <span>Save this card for auto top-up</span>
        </label>
      )}
      <SubmitButton className="w-full" pendingText="Opening checkout…">
        Add funds
      </SubmitButton>
    </form>
  );
}
