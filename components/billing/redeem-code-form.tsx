"use client";

import { useActionState } from "react";
import { redeemCodeAction, type RedeemState } from "@/app/(portal)/billing/redeem-actions";
import { Alert } from "@/components/ui/alert";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldError, Input, Label, describedBy } from "@/components/ui/input";
import { useKeepValuesOnError } from "@/components/ui/keep-values";
import { SubmitButton } from "@/components/ui/submit-button";

/** The Billing page's "Redeem a code" card. */
export function RedeemCodeForm() {
  const [state, formAction, pending] = useActionState<RedeemState, FormData>(redeemCodeAction, { status: "idle" });
  const keep = useKeepValuesOnError(state, formAction, (s) => s.status === "ok");
  const error = state.status === "error" ? state.error : null;
  return (
    <Card className="mt-6" aria-labelledby="redeem-heading">
      <CardHeader id="redeem-heading" title="Redeem a code" description="Have a credit code? Add it to your balance." />
      <CardBody>
        <form action={formAction} ref={keep.ref} onSubmit={keep.onSubmit} className="flex flex-wrap items-start gap-3">
          <div className="min-w-64 flex-1">
            <Label htmlFor="redeem-code" className="sr-only">
              Code
            </Label>
            <Input
              id="redeem-code"
              name="code"
              autoComplete="off"
              spellCheck={false}
              placeholder="MW-XXXX-XXXX-XXXX-XXXX"
              className="font-mono uppercase"
              aria-invalid={error ? true : undefined}
              aria-describedby={describedBy(error && "redeem-error")}
            />
            <FieldError id="redeem-error">{error}</FieldError>
          </div>
          <SubmitButton pending={pending} variant="secondary" pendingText="Redeeming…">
            Redeem
          </SubmitButton>
        </form>
        {state.status === "ok" ? (
          <Alert tone="success" role="status" className="mt-3">
            {state.message}
          </Alert>
        ) : null}
      </CardBody>
    </Card>
  );
}
