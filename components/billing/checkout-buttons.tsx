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
      <form action={pay}>
        <input type="hidden" name="sessionId" value={sessionId} />
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
