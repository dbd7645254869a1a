import {
  advancePeriodAction,
  cancelAction,
  changePlanAction,
  fallbackAction,
  managePaymentAction,
} from "@/app/(portal)/plans/actions";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import type { SubscriptionView } from "@/lib/billing/subscriptions/list-subscriptions";
import { ActionForm } from "./action-form";
import { AllowanceMeter } from "./allowance-meter";
import { dateText, priceText } from "./format";

/** One of the customer's subscriptions: its terms, an allowance meter per allowance, and what they can do with it. */
export function SubscriptionCard({
  subscription: s,
  modelNames,
  modelTypes,
  canAdvancePeriod,
  stripe,
}: {
  subscription: SubscriptionView;
  modelNames: Map<string, string>;
  modelTypes: Map<string, string>;
  canAdvancePeriod: boolean;
  stripe: boolean;
}) {
  const headingId = `subscription-${s.id}`;
  const isPlan = s.kind === "PLAN";
  const ends = dateText.format(s.currentPeriodEnd);
  return (
    <Card aria-labelledby={headingId} data-testid="subscription">
      <CardHeader
        id={headingId}
        title={
          <span className="flex flex-wrap items-center gap-2">
            {s.name}
            {isPlan ? <Badge tone="blue">Plan</Badge> : <Badge tone="purple">Custom</Badge>}
            {s.status === "PAST_DUE" ? (
              <Badge tone="red">Payment past due</Badge>
            ) : s.cancelAtPeriodEnd ? (
              <Badge tone="yellow">Ends {ends}</Badge>
            ) : (
              <Badge tone="green">Active</Badge>
            )}
            {s.provider === "SANDBOX" ? <Badge tone="yellow">Sandbox</Badge> : null}
          </span>
        }
        description={
          <>
            {priceText(s.priceMicros, s.interval)} ·{" "}
            <span data-testid="renewal">
              {s.cancelAtPeriodEnd ? `Ends on ${ends}` : `Renews on ${ends}`}
            </span>
            {" · "}current period since {dateText.format(s.currentPeriodStart)}
          </>
        }
      />
      <CardBody className="space-y-5">
        {s.status === "PAST_DUE" ? (
          <p role="status" className="rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100">
            The last payment failed. Update your payment method to keep the allowance.
          </p>
        ) : null}
        {s.pendingPlan && !s.cancelAtPeriodEnd ? (
          <p className="rounded-lg border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/60 dark:text-sky-100" data-testid="pending-plan">
            Changes to <strong>{s.pendingPlan.name}</strong> on {ends}. Until then you keep {s.name} and its allowance.
          </p>
        ) : null}
        {s.cancelAtPeriodEnd ? (
          <p className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100">
            Canceled: the allowance stays usable until {ends}; after that requests are paid from your prepaid balance.
          </p>
        ) : null}

        {s.allowances.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No allowance this period.</p>
        ) : (
          <div className="space-y-4">
            {s.allowances.map((a) => (
              <AllowanceMeter key={a.id} allowance={a} modelNames={modelNames} modelTypes={modelTypes} />
            ))}
          </div>
        )}

        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Past the allowance:{" "}
          <strong className="font-medium text-zinc-900 dark:text-zinc-100" data-testid="fallback-state">
            {s.balanceFallback ? "paid from your prepaid balance" : "requests are refused (your balance is not charged)"}
          </strong>
          .
        </p>

        {isPlan ? (
          <div className="flex flex-wrap items-start gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
            {s.fallbackAllowed ? (
              <ActionForm
                action={fallbackAction}
                fields={{ subscriptionId: s.id, value: s.balanceFallback ? "off" : "on" }}
                label={s.balanceFallback ? "Stop charging overage to my balance" : "Charge overage to my balance"}
                pendingText="Saving…"
              />
            ) : null}
            {s.cancelAtPeriodEnd ? (
              // Keeping the plan calls off the cancellation (and anything else scheduled): it renews as is.
              <ActionForm
                action={s.planSlug ? changePlanAction : cancelAction}
                fields={s.planSlug ? { planSlug: s.planSlug } : { subscriptionId: s.id, value: "off" }}
                label="Keep my plan"
                pendingText="Saving…"
              />
            ) : (
              <ActionForm
                action={cancelAction}
                fields={{ subscriptionId: s.id, value: "on" }}
                label="Cancel at period end"
                confirm={{
                  title: `End ${s.name} on ${ends}?`,
                  description:
                    `${s.name} stays active until ${ends}: its allowance keeps paying for your requests until then, and you are not charged for another period.` +
                    (s.pendingPlan ? ` The scheduled change to ${s.pendingPlan.name} will not happen.` : "") +
                    ` After ${ends}, requests are paid from your prepaid balance. You can keep your plan any time before then.`,
                  confirmLabel: "End my plan",
                  dismissLabel: "Keep my plan",
                  variant: "danger",
                }}
              />
            )}
            {stripe && s.provider === "STRIPE" ? (
              <ActionForm action={managePaymentAction} fields={{}} label="Manage payment method" pendingText="Opening Stripe…" />
            ) : null}
          </div>
        ) : (
          <p className="border-t border-zinc-200 pt-4 text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
            Configured for you by our team. To change it, contact your account manager.
          </p>
        )}

        {canAdvancePeriod && s.provider === "SANDBOX" ? (
          <div className="rounded-lg border-2 border-dashed border-amber-400 bg-amber-50 p-3 dark:border-amber-600 dark:bg-amber-950/40">
            <p className="mb-2 text-xs font-semibold tracking-wide text-amber-900 uppercase dark:text-amber-200">Sandbox · development only</p>
            <ActionForm
              action={advancePeriodAction}
              fields={{ subscriptionId: s.id }}
              label="Advance to next period (sandbox)"
              pendingText="Advancing…"
            >
              <p className="text-xs text-amber-900 dark:text-amber-200">
                Ends this period now and starts the next, as if {ends} had come: a fresh allowance, paid in the sandbox.
              </p>
            </ActionForm>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
