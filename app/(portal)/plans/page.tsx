import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { PageHeader } from "@/components/layout/page-header";
import { PageLoading } from "@/components/layout/page-loading";
import { ActionForm } from "@/components/subscriptions/action-form";
import { dateText, per } from "@/components/subscriptions/format";
import { InvoiceHistory } from "@/components/subscriptions/invoice-history";
import { CompareCard, FeatureList, planFeatures } from "@/components/subscriptions/plan-card";
import { SubscriptionCard } from "@/components/subscriptions/subscription-card";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { linkClasses } from "@/components/ui/link-classes";
import { requireUser } from "@/lib/auth/session";
import { listSubscriptionInvoices } from "@/lib/billing/subscriptions/list-invoices";
import { planOffer, type PlanOffer } from "@/lib/billing/subscriptions/plan-offers";
import type { SubscriptionView } from "@/lib/billing/subscriptions/list-subscriptions";
import { now as clockNow } from "@/lib/clock";
import { displayUsd } from "@/lib/money";
import type { PublicPlan } from "@/lib/plans/list-plans";
import { plansOverview } from "@/lib/plans/plans-overview";
import { changePlanAction, subscribeAction } from "./actions";

export const metadata: Metadata = { title: "Plans" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default function PlansPage({ searchParams }: { searchParams: SearchParams }) {
  // The loading state is this boundary rather than a loading.tsx: a plans/loading.tsx would wrap every page
  // under /plans, /plans/sandbox-checkout/[slug] included, whose "not found" must be a real 404 — and a
  // response that has started streaming (a loading fallback sent) can only be a 200.
  return (
    <Suspense fallback={<PageLoading label="plans" />}>
      <Plans searchParams={searchParams} />
    </Suspense>
  );
}

async function Plans({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const ctx = { userId: user.userId };
  const [params, overview, invoices] = await Promise.all([searchParams, plansOverview({ ctx }), listSubscriptionInvoices(ctx)]);
  const { plans, subscriptions, currentPlan, modelNames, modelTypes, sandbox, canAdvancePeriod } = overview;
  // Only while that is still the plan (the address keeps ?subscribed= after later changes on this page).
  const subscribed =
    typeof params.subscribed === "string" ? plans.find((p) => p.slug === params.subscribed && p.id === currentPlan?.planId) : undefined;
  const custom = subscriptions.filter((s) => s.kind === "CUSTOM");
  const at = clockNow();

  return (
    <>
      <PageHeader
        title="Plans"
        description="Pay as you go from your prepaid balance, or subscribe to a plan for usage included every period. A plan's allowance pays first; your balance pays the rest."
      />

      {params.checkout === "success" && !currentPlan ? (
        <Alert tone="info" role="status" title="Payment received" className="mb-6">
          Your plan appears here as soon as Stripe confirms the payment, usually within a few seconds.{" "}
          <a href="/plans?checkout=success" className={linkClasses}>
            Refresh
          </a>
        </Alert>
      ) : subscribed || params.checkout === "success" ? (
        <Alert tone="success" role="status" title="Subscribed" className="mb-6">
          {subscribed ? `Welcome to ${subscribed.name}. ` : ""}Your allowance is ready: requests to covered models use it before your balance.
        </Alert>
      ) : params.checkout === "canceled" ? (
        <Alert tone="info" role="status" title="Checkout canceled" className="mb-6">
          Nothing was charged. You are still on Pay-As-You-Go.
        </Alert>
      ) : null}

      {subscriptions.length > 0 ? (
        <section aria-labelledby="current-heading" className="mb-10">
          <h2 id="current-heading" className="mb-3 text-lg font-semibold">
            Your subscription{subscriptions.length > 1 ? "s" : ""}
          </h2>
          <div className="space-y-6">
            {subscriptions.map((s) => (
              <SubscriptionCard key={s.id} subscription={s} modelNames={modelNames} modelTypes={modelTypes} canAdvancePeriod={canAdvancePeriod} stripe={!sandbox} />
            ))}
          </div>
        </section>
      ) : null}

      {invoices.length > 0 ? <InvoiceHistory invoices={invoices} /> : null}

      <section aria-labelledby="compare-heading">
        <h2 id="compare-heading" className="text-lg font-semibold">
          Compare ways to pay
        </h2>
        <p className="mt-1 mb-4 text-sm text-zinc-600 dark:text-zinc-400">
          Upgrades apply at once, with the allowance prorated for the rest of the period; downgrades wait for the end of the period.
          {sandbox ? " This portal runs in sandbox mode: subscribing goes through a test checkout and charges nothing." : ""}
        </p>
        <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
          <CompareCard
            title="Pay-As-You-Go"
            price="$0"
            priceNote={`/ month`}
            badge={currentPlan ? <Badge>Always on</Badge> : <Badge tone="green">Your plan</Badge>}
            highlight={!currentPlan}
            testId="compare-payg"
            action={
              <Link href="/billing" className={buttonClasses({ variant: "secondary", className: "w-full" })}>
                Add funds to your balance
              </Link>
            }
          >
            <FeatureList
              items={[
                "Pay exactly what each request costs, from your prepaid balance",
                "Every model, no commitment, no monthly fee",
                "Pays for whatever a subscription does not cover",
              ]}
            />
          </CompareCard>

          {plans.map((plan) => {
            const offer = planOffer(currentPlan, plan, at);
            return (
              <CompareCard
                key={plan.id}
                title={plan.name}
                price={displayUsd(plan.priceMicros)}
                priceNote={`/ ${per(plan.interval)}`}
                badge={
                  offer.kind === "current" || offer.kind === "keep" ? (
                    <Badge tone="green">Your plan</Badge>
                  ) : offer.kind === "pending" ? (
                    <Badge tone="blue">From {dateText.format(currentPlan!.currentPeriodEnd)}</Badge>
                  ) : null
                }
                highlight={offer.kind === "current" || offer.kind === "keep"}
                testId={`compare-plan-${plan.slug}`}
                action={<PlanAction offer={offer} plan={plan} current={currentPlan} at={at} />}
              >
                {plan.description ? <p className="mb-3 text-zinc-600 dark:text-zinc-400">{plan.description}</p> : null}
                <FeatureList items={planFeatures(plan, modelNames)} />
              </CompareCard>
            );
          })}

          <CompareCard
            title="Custom access"
            price="Tailored"
            badge={custom.length > 0 ? <Badge tone="purple">Configured for you</Badge> : null}
            highlight={custom.length > 0}
            testId="compare-custom"
          >
            {custom.length > 0 ? (
              <p className="mb-3">
                Our team configured {custom.map((s) => s.name).join(", ")} for you; see{" "}
                <a href="#current-heading" className={linkClasses}>
                  your subscriptions
                </a>{" "}
                above.
              </p>
            ) : null}
            <FeatureList
              items={[
                "A set number of images or tasks a month of one model",
                "A monthly budget for another model",
                "Unlimited requests to a model, up to a rate limit",
                "Your own price, invoiced to your company",
              ]}
            />
            <p className="mt-4 text-zinc-600 dark:text-zinc-400">Contact us or your account manager to set it up.</p>
          </CompareCard>
        </div>
      </section>
    </>
  );
}

const note = "text-center text-sm text-zinc-600 dark:text-zinc-400";
const DAY_MS = 86_400_000;

/** The bottom of a plan's column: what the customer can do with that plan, from planOffer. */
function PlanAction({ offer, plan, current, at }: { offer: PlanOffer; plan: PublicPlan; current: SubscriptionView | null; at: Date }) {
  if (offer.kind === "subscribe" || !current) {
    return (
      <ActionForm
        action={subscribeAction}
        fields={{ planSlug: plan.slug }}
        label={`Subscribe to ${plan.name}`}
        pendingText="Starting checkout…"
        variant="primary"
        size="md"
        fullWidth
      />
    );
  }
  const ends = dateText.format(current.currentPeriodEnd);
  switch (offer.kind) {
    case "current":
      return <p className={note}>You are on this plan.</p>;
    case "keep":
      return (
        <div className="space-y-1">
          <ActionForm action={changePlanAction} fields={{ planSlug: plan.slug }} label={`Keep ${plan.name}`} pendingText="Saving…" size="md" fullWidth />
          <p className="text-center text-xs text-zinc-600 dark:text-zinc-400">
            {offer.because === "canceling" ? `Set to end on ${ends}. Keeping it renews it as usual.` : `Calls off the change scheduled for ${ends}.`}
          </p>
        </div>
      );
    case "pending":
      return <p className={note}>Starts at the end of this period.</p>;
    case "unavailable":
      return (
        <p className={note}>
          Not offered while your plan is set to end on {ends}. Keep {current.name} first to switch to {plan.name} then.
        </p>
      );
    case "downgrade":
      return (
        <div className="space-y-1">
          <ActionForm
            action={changePlanAction}
            fields={{ planSlug: plan.slug }}
            label={`Downgrade to ${plan.name} at period end`}
            pendingText="Changing plan…"
            size="md"
            fullWidth
          />
          <p className="text-center text-xs text-zinc-600 dark:text-zinc-400">Applies on {ends}; nothing changes until then.</p>
        </div>
      );
    case "upgrade": {
      const daysLeft = Math.max(1, Math.ceil((current.currentPeriodEnd.getTime() - at.getTime()) / DAY_MS));
      const charge =
        offer.chargeNowMicros === null
          ? "the prorated price difference now"
          : `about ${displayUsd(offer.chargeNowMicros)} now, the price difference for the ${daysLeft === 1 ? "day" : `${daysLeft} days`} left in this period`;
      const description = [
        `${plan.name} replaces ${current.name} now, with its allowance prorated for the rest of this period.`,
        current.provider === "STRIPE"
          ? `Your card on file is charged ${charge}.`
          : `A paid plan would be charged ${charge}; in the sandbox nothing is charged.`,
        offer.resumes
          ? `This also calls off your cancellation: ${plan.name} renews on ${ends} at ${displayUsd(plan.priceMicros)} / ${per(plan.interval)}.`
          : `${plan.name} renews on ${ends} at ${displayUsd(plan.priceMicros)} / ${per(plan.interval)}.`,
      ].join(" ");
      return (
        <div className="space-y-1">
          <ActionForm
            action={changePlanAction}
            fields={{ planSlug: plan.slug }}
            label={`Upgrade to ${plan.name} now`}
            variant="primary"
            size="md"
            fullWidth
            confirm={{ title: `Upgrade to ${plan.name} now?`, description, confirmLabel: "Upgrade now", dismissLabel: `Stay on ${current.name}` }}
          />
          <p className="text-center text-xs text-zinc-600 dark:text-zinc-400">Applies now; you pay the prorated difference for the rest of this period.</p>
        </div>
      );
    }
  }
}
