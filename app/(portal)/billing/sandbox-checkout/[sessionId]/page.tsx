import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CheckoutButtons } from "@/components/billing/checkout-buttons";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { displayUsd } from "@/lib/money";
import { getSandboxCheckout } from "@/lib/payments/sandbox-checkout";

export const metadata: Metadata = { title: "Sandbox checkout" };

async function findCheckout(userId: string, sessionId: string) {
  try {
    return await getSandboxCheckout({ ctx: { userId }, input: { sessionId } });
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
}

// No loading.tsx here or above (the billing page keeps its loading state as a <Suspense> inside the page): a
// loading fallback starts the response as a 200, and then notFound() — an unknown session, another user's —
// could no longer answer 404. One row decides everything on this page, so it has no slow part to stream.
export default async function SandboxCheckoutPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const user = await requireUser();
  const { sessionId } = await params;
  const checkout = await findCheckout(user.userId, sessionId);
  const amount = displayUsd(checkout.amountMicros);

  return (
    <div className="mx-auto max-w-lg space-y-6">
      <div
        role="note"
        className="rounded-xl border-2 border-amber-400 bg-amber-100 px-5 py-4 text-amber-950 dark:border-amber-500 dark:bg-amber-900/40 dark:text-amber-100"
      >
        <p className="text-base font-bold tracking-wide uppercase">SANDBOX CHECKOUT — no real payment is made</p>
        <p className="mt-1 text-sm">
          This test page stands in for a card payment. Paying here adds the amount to your balance without charging anything.
        </p>
      </div>

      <Card>
        <CardBody className="space-y-6 py-6">
          <div>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Meterway · Account credit</p>
            <p className="mt-1 text-4xl font-semibold tracking-tight tabular-nums" data-testid="checkout-amount">
              {amount}
            </p>
          </div>
          <dl className="divide-y divide-zinc-200 border-y border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
            <div className="flex justify-between py-2.5">
              <dt className="text-zinc-600 dark:text-zinc-400">Prepaid credit</dt>
              <dd className="tabular-nums">{amount}</dd>
            </div>
            <div className="flex justify-between py-2.5">
              <dt className="text-zinc-600 dark:text-zinc-400">Account</dt>
              <dd className="truncate pl-4">{user.email}</dd>
            </div>
            <div className="flex justify-between py-2.5 font-semibold">
              <dt>Total due</dt>
              <dd className="tabular-nums">{amount}</dd>
            </div>
          </dl>

          {checkout.status === "PENDING" ? (
            <CheckoutButtons sessionId={sessionId} amount={amount} />
          ) : checkout.status === "SUCCEEDED" ? (
            <Alert tone="success" title="Already paid">
              This checkout has been paid and the funds are in your balance.{" "}
              <Link href="/billing" className="font-medium underline underline-offset-4">
                Back to billing
              </Link>
            </Alert>
          ) : (
            <Alert tone="info" title="This checkout is closed">
              It was {checkout.status === "CANCELED" ? "canceled" : checkout.status.toLowerCase()}. Start a new top-up from the billing page.
              <div className="mt-3">
                <Link href="/billing" className={buttonClasses({ variant: "secondary", size: "sm" })}>
                  Back to billing
                </Link>
              </div>
            </Alert>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
