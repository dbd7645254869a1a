"use client";

import { useActionState } from "react";
import { cancelCheckout, payCheckout, type CheckoutState } from "@/app/(portal)/billing/sandbox-checkout/[sessionId]/actions";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/submit-button";

export function CheckoutButtons({ sessionId, amount }: { sessionId: string; amount: string }) {
  const [payState, pay] = useActionState<CheckoutState, FormData>(payCheckout, { error: null });
  const [cancelState, cancel] = useActionState<CheckoutState, FormData>(cancelCheckout, { error: null });
  const error = payState.error ?? cancelState.error;
  return (
    <div className="space-y-3">
      {error ? (
        <Alert tone="error" role="alert">
          {error}
        </Alert>
      ) : null}
      <form action={pay} className="space-y-3">
        <input type="hidden" name="sessionId" value={sessionId} />
        <label className="flex items-start gap-2 text-sm text-zinc-700 dark:text-zinc-300">
          <input type="checkbox" name="saveCard" value="1" className="mt-0.5 size-4 accent-indigo-600" />
          <span>Save this test card for auto top-up</span>
        </label>
        <SubmitButton size="lg" className="w-full" pendingText="Processing…">
          Pay {amount}
        </SubmitButton>
      </form>
      <form action={cancel}>
        <input type="hidden" name="sessionId" value={sessionId} />
        <SubmitButton variant="ghost" className="w-full" pendingText="Canceling…">
          Cancel
        </SubmitButton>
      </form>
    </div>
  );
}
