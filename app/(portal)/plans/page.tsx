import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/layout/page-header";
import { ActionForm } from "@/components/subscriptions/action-form";
import { dateText, per } from "@/components/subscriptions/format";
import { CompareCard, FeatureList, planFeatures } from "@/components/subscriptions/plan-card";
import { SubscriptionCard } from "@/components/subscriptions/subscription-card";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { requireUser } from "@/lib/auth/session";
import { monthlyMicros } from "@/lib/billing/subscriptions/plans";
import { displayUsd } from "@/lib/money";
import { plansOverview } from "@/lib/plans/plans-overview";
import { changePlanAction, subscribeAction } from "./actions";

export const metadata: Metadata = { title: "Plans" };

const linkClasses =
  "font-medium text-indigo-700 underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400";

export default async function PlansPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const [params, overview] = await Promise.all([searchParams, plansOverview({ ctx: { userId: user.userId } })]);
  const { plans, subscriptions, currentPlan, modelNames, modelTypes, sandbox, canAdvancePeriod } = overview;
  const subscribed = typeof params.subscribed === "string" ? plans.find((p) => p.slug === params.subscribed) : undefined;
  const custom = subscriptions.filter((s) => s.kind === "CUSTOM");
  const currentMonthly = currentPlan ? monthlyMicros(currentPlan) : null;

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
            const isCurrent = currentPlan?.planId === plan.id;
            const isPending = currentPlan?.pendingPlan?.id === plan.id;
            const upgrade = currentMonthly !== null && monthlyMicros(plan) > currentMonthly;
            return (
              <CompareCard
                key={plan.id}
                title={plan.name}
                price={displayUsd(plan.priceMicros)}
                priceNote={`/ ${per(plan.interval)}`}
                badge={isCurrent ? <Badge tone="green">Your plan</Badge> : isPending ? <Badge tone="blue">From {dateText.format(currentPlan!.currentPeriodEnd)}</Badge> : null}
                highlight={isCurrent}
                testId={`compare-plan-${plan.slug}`}
                action={
                  !currentPlan ? (
                    <ActionForm
                      action={subscribeAction}
                      fields={{ planSlug: plan.slug }}
                      label={`Subscribe to ${plan.name}`}
                      pendingText="Starting checkout…"
                      variant="primary"
                      size="md"
                      className="space-y-2 [&_button]:w-full"
                    />
                  ) : isCurrent ? (
                    currentPlan.pendingPlan ? (
                      <ActionForm
                        action={changePlanAction}
                        fields={{ planSlug: plan.slug }}
                        label={`Keep ${plan.name}`}
                        pendingText="Saving…"
                        size="md"
                        className="space-y-2 [&_button]:w-full"
                      />
                    ) : (
                      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">You are on this plan.</p>
                    )
                  ) : isPending ? (
                    <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">Starts at the end of this period.</p>
                  ) : (
                    <div className="space-y-1">
                      <ActionForm
                        action={changePlanAction}
                        fields={{ planSlug: plan.slug }}
                        label={upgrade ? `Upgrade to ${plan.name} now` : `Downgrade to ${plan.name} at period end`}
                        pendingText="Changing plan…"
                        variant={upgrade ? "primary" : "secondary"}
                        size="md"
                        className="space-y-2 [&_button]:w-full"
                      />
                      <p className="text-center text-xs text-zinc-600 dark:text-zinc-400">
                        {upgrade
                          ? "Applies now; the allowance is prorated for the rest of this period."
                          : `Applies on ${dateText.format(currentPlan.currentPeriodEnd)}; nothing changes until then.`}
                      </p>
                    </div>
                  )
                }
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
