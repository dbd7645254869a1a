import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ActionForm } from "@/components/subscriptions/action-form";
import { dateText, per } from "@/components/subscriptions/format";
import { FeatureList, planFeatures } from "@/components/subscriptions/plan-card";
import { Alert } from "@/components/ui/alert";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { requireUser } from "@/lib/auth/session";
import { stripeEnabled } from "@/lib/env.js";
import { displayUsd } from "@/lib/money";
import { findPlan, type PublicPlan } from "@/lib/plans/list-plans";
import { plansOverview } from "@/lib/plans/plans-overview";
import { paySandboxPlanAction } from "../../actions";

export const metadata: Metadata = { title: "Sandbox checkout · Plan" };

// No loading.tsx here or above (the Plans page keeps its loading state as a <Suspense> inside the page): a
// loading fallback starts the response as a 200, and then notFound() — an unknown or retired plan — could no
// longer answer 404. So the plan is looked up first, and only the account's side of the page (which needs the
// slower plans overview) streams in behind a skeleton.
export default async function SandboxPlanCheckoutPage({ params }: { params: Promise<{ slug: string }> }) {
  const user = await requireUser();
  const { slug } = await params;
  // With Stripe configured, subscriptions go through Stripe Checkout: this page does not exist.
  const plan = stripeEnabled ? null : await findPlan(slug);
  if (!plan) notFound();
  const price = displayUsd(plan.priceMicros);

  return (
    <div className="mx-auto max-w-lg space-y-6">
      <div
        role="note"
        className="rounded-xl border-2 border-amber-400 bg-amber-100 px-5 py-4 text-amber-950 dark:border-amber-500 dark:bg-amber-900/40 dark:text-amber-100"
      >
        <p className="text-base font-bold tracking-wide uppercase">SANDBOX CHECKOUT — no real payment is made</p>
        <p className="mt-1 text-sm">
          This test page stands in for a subscription payment. Paying here starts the plan at once without charging anything; each
          period renews in the sandbox too.
        </p>
      </div>

      <Card>
        <CardBody className="space-y-6 py-6">
          <div>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Meterway · {plan.name} plan, billed every {per(plan.interval)}</p>
            <p className="mt-1 text-4xl font-semibold tracking-tight tabular-nums" data-testid="checkout-amount">
              {price}
              <span className="ml-1 text-base font-normal text-zinc-600 dark:text-zinc-400">/ {per(plan.interval)}</span>
            </p>
          </div>
          <Suspense fallback={<CheckoutDetailsLoading />}>
            <CheckoutDetails plan={plan} price={price} userId={user.userId} email={user.email} />
          </Suspense>
        </CardBody>
      </Card>
    </div>
  );
}

/** What needs the account (its current plan) and the models' names: streamed in after the plan itself. */
async function CheckoutDetails({ plan, price, userId, email }: { plan: PublicPlan; price: string; userId: string; email: string }) {
  const overview = await plansOverview({ ctx: { userId } });
  const current = overview.currentPlan;
  return (
    <>
      <div className="text-sm">
        <FeatureList items={planFeatures(plan, overview.modelNames)} />
      </div>
      <dl className="divide-y divide-zinc-200 border-y border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
        <div className="flex justify-between py-2.5">
          <dt className="text-zinc-600 dark:text-zinc-400">Account</dt>
          <dd className="truncate pl-4">{email}</dd>
        </div>
        <div className="flex justify-between py-2.5">
          <dt className="text-zinc-600 dark:text-zinc-400">Renews</dt>
          <dd>Every {per(plan.interval)} until you cancel</dd>
        </div>
        <div className="flex justify-between py-2.5 font-semibold">
          <dt>Due today</dt>
          <dd className="tabular-nums">{price}</dd>
        </div>
      </dl>

      {current ? (
        <Alert tone="info" title={current.planId === plan.id ? "You are already on this plan" : "You already have a plan"}>
          {current.planId === plan.id
            ? `${current.name} renews on ${dateText.format(current.currentPeriodEnd)}.`
            : `You are on ${current.name}. Change plans from the Plans page instead of subscribing again.`}
          <div className="mt-3">
            <Link href="/plans" className={buttonClasses({ variant: "secondary", size: "sm" })}>
              Back to plans
            </Link>
          </div>
        </Alert>
      ) : (
        <div className="space-y-3">
          <ActionForm
            action={paySandboxPlanAction}
            fields={{ planSlug: plan.slug }}
            label={`Pay ${price} and subscribe`}
            pendingText="Processing…"
            variant="primary"
            size="lg"
            className="space-y-3 [&_button]:w-full"
          />
          <Link href="/plans?checkout=canceled" className={buttonClasses({ variant: "ghost", className: "w-full" })}>
            Cancel
          </Link>
        </div>
      )}
    </>
  );
}

function CheckoutDetailsLoading() {
  return (
    <div role="status" aria-live="polite" className="space-y-3">
      <span className="sr-only">Loading the plan&apos;s details…</span>
      <Skeleton className="h-4 w-3/4" />
      <Skeleton className="h-4 w-2/3" />
      <Skeleton className="h-4 w-1/2" />
      <Skeleton className="h-28" />
      <Skeleton className="h-11" />
    </div>
  );
}
