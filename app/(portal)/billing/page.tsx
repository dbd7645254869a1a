import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AutoTopUpForm, LowBalanceAlertForm } from "@/components/billing/payment-settings";
import { PAYMENT_STATUS } from "@/components/billing/payment-status";
import { RedeemCodeForm } from "@/components/billing/redeem-code-form";
import { TopUpForm } from "@/components/billing/top-up-form";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { EmptyState } from "@/components/ui/empty-state";
import { linkClasses } from "@/components/ui/link-classes";
import { ReceiptLink } from "@/components/ui/receipt-link";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { getBalance } from "@/lib/billing/get-balance";
import { stripeEnabled } from "@/lib/env.js";
import { displayUsd } from "@/lib/money";
import { getBillingSettings } from "@/lib/payments/billing-settings";
import { getCheckoutStatus } from "@/lib/payments/checkout-status";
import { listPayments } from "@/lib/payments/list-payments";

/** "12.500000" → "12.50" for a form field; "" when unset. */
const field = (micros: bigint | null) => (micros === null ? "" : displayUsd(micros).replace(/^\$/, "").replace(/,/g, ""));

export const metadata: Metadata = { title: "Billing" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default function BillingPage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: a billing/loading.tsx would wrap every page
  // under /billing, /billing/sandbox-checkout/[sessionId] included, whose "not found" must be a real 404 — and
  // a response that has started streaming (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="billing" />}>
      <Billing searchParams={searchParams} />
    </Suspense>
  );
}

async function Billing({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const ctx = { userId: user.userId };
  const [params, balance, payments, settings] = await Promise.all([searchParams, getBalance({ ctx }), listPayments({ ctx }), getBillingSettings({ ctx })]);
  const checkout = params.checkout;
  // After Stripe Checkout: say what really happened — the webhook may not have arrived yet.
  const sessionId = typeof params.session_id === "string" ? params.session_id : null;
  const returned = checkout === "success" && sessionId ? await getCheckoutStatus({ ctx, input: { sessionId } }) : null;
  const pending = returned?.status === "PENDING";

  return (
    <>
      <PageHeader
        title="Billing"
        description="Your prepaid balance pays for every API request. Add funds at any time."
        action={
          <Link href="/billing/history" className={linkClasses}>
            Balance history →
          </Link>
        }
      />

      {checkout === "success" && pending ? (
        <Alert tone="info" role="status" title="Payment pending" className="mb-6">
          Stripe has your payment of {displayUsd(returned.amountMicros)}; it is added to your balance as soon as it is confirmed, usually
          within a few seconds. <Link href={`/billing?checkout=success&session_id=${sessionId}`} className={linkClasses}>Refresh</Link>
        </Alert>
      ) : checkout === "success" ? (
        <Alert tone="success" role="status" title="Payment received" className="mb-6">
          {returned ? `Thank you. ${displayUsd(returned.amountMicros)} has been added to your balance.` : "Thank you. The funds have been added to your balance."}
        </Alert>
      ) : checkout === "canceled" ? (
        <Alert tone="info" role="status" title="Checkout canceled" className="mb-6">
          No money was charged. You can start a new top-up whenever you like.
        </Alert>
      ) : null}

      <div className="grid items-start gap-6 lg:grid-cols-5">
        <Card className="lg:col-span-3" aria-labelledby="balance-heading">
          <CardHeader id="balance-heading" title="Balance" description="What you can spend on API requests right now." />
          <CardBody className="space-y-6">
            <div>
              <p className="text-sm font-medium text-zinc-600 dark:text-zinc-400">Available balance</p>
              <p className="mt-1 text-5xl font-semibold tracking-tight tabular-nums" data-testid="available-balance">
                {displayUsd(balance.availableMicros)}
              </p>
            </div>
            <dl className="grid gap-4 border-t border-zinc-200 pt-4 sm:grid-cols-2 dark:border-zinc-800">
              <div>
                <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">Balance</dt>
                <dd className="mt-0.5 text-lg font-semibold tabular-nums">{displayUsd(balance.balanceMicros)}</dd>
                <dd className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Everything you have added, minus what requests have cost.</dd>
              </div>
              <div>
                <dt className="text-sm font-medium text-zinc-600 dark:text-zinc-400">Reserved</dt>
                <dd className="mt-0.5 text-lg font-semibold tabular-nums">{displayUsd(balance.reservedMicros)}</dd>
                <dd className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
                  Set aside for requests still running. When they finish you pay only the actual cost; the rest is released.
                </dd>
              </div>
            </dl>
          </CardBody>
        </Card>

        <Card className="lg:col-span-2" aria-labelledby="top-up-heading">
          <CardHeader id="top-up-heading" title="Add funds" description="Top up your prepaid balance." />
          <CardBody>
            <TopUpForm sandbox={!stripeEnabled} />
          </CardBody>
        </Card>
      </div>
      <RedeemCodeForm />

      <div className="mt-6 grid items-start gap-6 lg:grid-cols-5">
        <Card className="lg:col-span-3" aria-labelledby="auto-top-up-heading">
          <CardHeader id="auto-top-up-heading" title="Auto top-up" description="Never run dry in the middle of a job." />
          <CardBody>
            <AutoTopUpForm
              autoTopUp={{
                enabled: settings.autoTopupEnabled,
                threshold: field(settings.autoTopupThresholdMicros),
                amount: field(settings.autoTopupAmountMicros),
                cap: field(settings.autoTopupMonthlyCapMicros),
                hasSavedCard: settings.hasSavedCard,
                notice: settings.autoTopupNotice,
              }}
            />
          </CardBody>
        </Card>
        <Card className="lg:col-span-2" aria-labelledby="alert-heading">
          <CardHeader id="alert-heading" title="Low-balance alert" description="Hear about it before requests start failing." />
          <CardBody>
            <LowBalanceAlertForm alertThreshold={field(settings.lowBalanceThresholdMicros)} />
          </CardBody>
        </Card>
      </div>

      <Card className="mt-6" aria-labelledby="payments-heading">
        <CardHeader
          id="payments-heading"
          title="Payment history"
          description={
            <>
              Your top-ups, newest first. Subscription invoices are under{" "}
              <Link href="/plans#invoices-heading" className={linkClasses}>
                Plans
              </Link>
              .
            </>
          }
          action={
            payments.length > 0 ? (
              <a href="/api/payments/export" className={`${linkClasses} text-sm`} download>
                Download CSV
              </a>
            ) : null
          }
        />
        {payments.length === 0 ? (
          <EmptyState title="No payments yet">Your top-ups will appear here.</EmptyState>
        ) : (
          <Table caption="Payment history">
            <THead>
              <TR>
                <TH>Date</TH>
                <TH className="text-right">Amount</TH>
                <TH>Kind</TH>
                <TH>Method</TH>
                <TH>Status</TH>
                <TH>Receipt</TH>
              </TR>
            </THead>
            <TBody>
              {payments.map((payment) => {
                const status = PAYMENT_STATUS[payment.status];
                return (
                  <TR key={payment.id}>
                    <TD>
                      <DateTime value={payment.createdAt} />
                    </TD>
                    <TD className="text-right font-medium tabular-nums">{displayUsd(payment.amountMicros)}</TD>
                    <TD>{payment.kind === "AUTO_TOPUP" ? "Auto top-up" : "Top-up"}</TD>
                    <TD>{payment.provider === "STRIPE" ? "Stripe" : "Sandbox"}</TD>
                    <TD>
                      <Badge tone={status.tone}>{status.label}</Badge>
                      {payment.failureReason ? <p className="mt-1 max-w-56 text-xs text-zinc-600 dark:text-zinc-400">{payment.failureReason}</p> : null}
                    </TD>
                    <TD>
                      {payment.receiptUrl ? (
                        <ReceiptLink href={payment.receiptUrl} />
                      ) : payment.status === "PENDING" && payment.provider === "SANDBOX" ? (
                        <Link href={`/billing/sandbox-checkout/${payment.externalId}`} className={linkClasses}>
                          Continue checkout
                        </Link>
                      ) : (
                        <span className="text-zinc-500 dark:text-zinc-400">—</span>
                      )}
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        )}
      </Card>
    </>
  );
}
