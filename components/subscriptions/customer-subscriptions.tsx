import Link from "next/link";
import { endSubscriptionAction } from "@/app/(portal)/admin/customers/[id]/subscription-actions";
import { ConfirmAction } from "@/components/admin/confirm-action";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import type { SubscriptionView } from "@/lib/billing/subscriptions/list-subscriptions";
import { AllowanceMeter } from "./allowance-meter";
import { dateText, priceText } from "./format";

const PROVIDER = { SANDBOX: "Sandbox", STRIPE: "Stripe", MANUAL: "Invoiced manually" } as const;
const link = "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";

/** The admin customer page's section: every subscription with its meters, custom ones editable, live ones endable. */
export function CustomerSubscriptions({
  userId,
  subscriptions,
  modelNames,
  modelTypes,
  saved,
}: {
  userId: string;
  subscriptions: SubscriptionView[];
  modelNames: Map<string, string>;
  modelTypes: Map<string, string>;
  saved: boolean;
}) {
  return (
    <Card className="mt-6" aria-labelledby="subscriptions-heading">
      <CardHeader
        id="subscriptions-heading"
        title="Subscriptions"
        description="Plans the customer bought and custom access configured for them. Allowances pay before the balance."
        action={
          <Link href={`/admin/customers/${userId}/subscription`} className={buttonClasses({ size: "sm" })}>
            Add custom subscription
          </Link>
        }
      />
      {saved ? (
        <div className="px-5 pt-4">
          <Alert tone="success" role="status">
            Subscription saved. The customer&apos;s requests use it now.
          </Alert>
        </div>
      ) : null}
      {subscriptions.length === 0 ? (
        <EmptyState title="No subscriptions">This customer pays as they go from their balance.</EmptyState>
      ) : (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {subscriptions.map((s) => {
            const ended = s.status === "CANCELED";
            return (
              <li key={s.id} className="px-5 py-4" data-testid="customer-subscription">
                <div className="flex flex-wrap items-start justify-between gap-3">
                  <div>
                    <p className="flex flex-wrap items-center gap-2 font-medium">
                      {s.name}
                      {s.kind === "PLAN" ? <Badge tone="blue">Plan</Badge> : <Badge tone="purple">Custom</Badge>}
                      {ended ? <Badge>Ended</Badge> : s.status === "PAST_DUE" ? <Badge tone="red">Past due</Badge> : s.cancelAtPeriodEnd ? <Badge tone="yellow">Cancels at period end</Badge> : <Badge tone="green">Active</Badge>}
                    </p>
                    <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
                      {priceText(s.priceMicros, s.interval)} · {PROVIDER[s.provider]} ·{" "}
                      {ended
                        ? `ended ${s.canceledAt ? dateText.format(s.canceledAt) : ""}`
                        : `period ${dateText.format(s.currentPeriodStart)} – ${dateText.format(s.currentPeriodEnd)}`}
                      {s.pendingPlan ? ` · changes to ${s.pendingPlan.name} at period end` : ""} · overage{" "}
                      {s.balanceFallback ? "charged to the balance" : "refused"}
                    </p>
                  </div>
                  {ended ? null : (
                    <div className="flex items-center gap-3">
                      {s.kind === "CUSTOM" ? (
                        <Link href={`/admin/customers/${userId}/subscription?subscription=${s.id}`} className={`${link} text-sm`} aria-label={`Edit ${s.name}`}>
                          Edit
                        </Link>
                      ) : null}
                      {s.provider === "STRIPE" ? (
                        <span className="text-xs text-zinc-500 dark:text-zinc-400">Cancel in Stripe&apos;s dashboard</span>
                      ) : (
                        <ConfirmAction
                          action={endSubscriptionAction.bind(null, userId, s.id)}
                          label="End now"
                          accessibleLabel={`End ${s.name} now`}
                          title={`End ${s.name} now?`}
                          description="The allowance stops at once and the customer's requests are paid from their balance. Requests already running settle normally. This cannot be undone."
                          confirmLabel="End subscription"
                          dismissLabel="Keep subscription"
                        />
                      )}
                    </div>
                  )}
                </div>
                {!ended && s.allowances.length > 0 ? (
                  <CardBody className="mt-2 space-y-3 px-0 pb-0">
                    {s.allowances.map((a) => (
                      <AllowanceMeter key={a.id} allowance={a} modelNames={modelNames} modelTypes={modelTypes} />
                    ))}
                  </CardBody>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
