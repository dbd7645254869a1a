"use server";

// The Plans page's server actions: each parses its form with zod, calls ONE verb and maps an AppError
// to a friendly sentence. Server actions only accept same-origin POSTs (Next checks Origin against
// Host), and every verb scopes the subscription to the signed-in user, so ids from the form are safe.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { ActionState } from "@/components/subscriptions/action-state";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { requestOrigin } from "@/lib/http/request-origin";
import {
  advanceSandboxPeriod,
  cancelSubscription,
  changePlan,
  customerPortalUrl,
  paySandboxSubscription,
  setBalanceFallback,
  startPlanCheckout,
} from "@/lib/payments/subscriptions";

const PlanSlug = z.object({ planSlug: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{1,39}$/) });
const SubscriptionId = z.object({ subscriptionId: z.uuid() });
const Toggle = SubscriptionId.extend({ value: z.enum(["on", "off"]) });

const GENERIC = "Something went wrong. Please try again.";

function fields(form: FormData): Record<string, string> {
  return Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
}

function failed(error: unknown, what: string): ActionState {
  if (isAppError(error)) return { status: "error", error: error.message };
  console.error(`[plans] ${what} failed`, error);
  return { status: "error", error: GENERIC };
}

function done(message: string): ActionState {
  revalidatePath("/plans");
  revalidatePath("/", "layout");
  return { status: "ok", message };
}

/** "Subscribe": Stripe Checkout in subscription mode, or the sandbox checkout page. */
export async function subscribeAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = PlanSlug.safeParse(fields(form));
  if (!parsed.success) return { status: "error", error: "Choose a plan." };
  let url: string;
  try {
    ({ url } = await startPlanCheckout({ ctx: { userId: user.userId }, input: parsed.data, origin: await requestOrigin() }));
  } catch (error) {
    return failed(error, "starting a subscription");
  }
  redirect(url);
}

/** The sandbox checkout's "Pay": starts the subscription at once and lands on /plans. */
export async function paySandboxPlanAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = PlanSlug.safeParse(fields(form));
  if (!parsed.success) return { status: "error", error: "Choose a plan." };
  try {
    await paySandboxSubscription({ ctx: { userId: user.userId }, input: parsed.data });
  } catch (error) {
    return failed(error, "paying a sandbox subscription");
  }
  revalidatePath("/plans");
  redirect(`/plans?subscribed=${encodeURIComponent(parsed.data.planSlug)}`);
}

/** Upgrade now (prorated), downgrade at the period end, or keep the current plan (calling off what was scheduled). */
export async function changePlanAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = PlanSlug.safeParse(fields(form));
  if (!parsed.success) return { status: "error", error: "Choose a plan." };
  try {
    const change = await changePlan({ ctx: { userId: user.userId }, input: parsed.data });
    // changePlan also calls off a cancellation at the period end: the plan renews after any of these.
    if (change === "upgraded") return done("Upgraded. The bigger allowance applies now, prorated for the rest of this period, and the plan renews as usual.");
    if (change === "downgrade_scheduled") return done("Downgrade scheduled. You keep your current plan until the end of this period, then the new one renews.");
    return done("Kept. Your plan renews as usual; any scheduled change or cancellation has been called off.");
  } catch (error) {
    return failed(error, "changing plan");
  }
}

/** Cancel at the period end ("on"), or resume ("off"). */
export async function cancelAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = Toggle.safeParse(fields(form));
  if (!parsed.success) return { status: "error", error: GENERIC };
  const cancel = parsed.data.value === "on";
  try {
    await cancelSubscription({ ctx: { userId: user.userId }, input: { subscriptionId: parsed.data.subscriptionId, cancel } });
  } catch (error) {
    return failed(error, "canceling");
  }
  return done(cancel ? "Your plan ends at the end of this period. You can keep it until then." : "Resumed. Your plan renews as usual.");
}

/** Whether usage past the allowance is charged to the prepaid balance. */
export async function fallbackAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = Toggle.safeParse(fields(form));
  if (!parsed.success) return { status: "error", error: GENERIC };
  const enabled = parsed.data.value === "on";
  try {
    await setBalanceFallback({ ctx: { userId: user.userId }, input: { subscriptionId: parsed.data.subscriptionId, enabled } });
  } catch (error) {
    return failed(error, "setting the balance fallback");
  }
  return done(
    enabled
      ? "Past the allowance, requests are now paid from your prepaid balance."
      : "Past the allowance, requests are now refused instead of charging your balance.",
  );
}

/** Stripe's Customer Portal: payment method, invoices. */
export async function managePaymentAction(_previous: ActionState): Promise<ActionState> {
  const user = await requireUser();
  let url: string | null;
  try {
    url = await customerPortalUrl({ ctx: { userId: user.userId }, origin: await requestOrigin() });
  } catch (error) {
    return failed(error, "opening the customer portal");
  }
  if (!url) return { status: "error", error: "Payment methods are managed through Stripe, which is not set up on this portal (sandbox)." };
  redirect(url);
}

/** Development and test only: ends the sandbox period now and opens the next one. */
export async function advancePeriodAction(_previous: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser();
  const parsed = SubscriptionId.safeParse(fields(form));
  if (!parsed.success) return { status: "error", error: GENERIC };
  try {
    const result = await advanceSandboxPeriod({ ctx: { userId: user.userId }, input: parsed.data });
    if (result === "ended") return done("The period ended and, as you had canceled, so did the subscription.");
    return done("Advanced to the next period: the allowance starts fresh and the renewal date moved on.");
  } catch (error) {
    return failed(error, "advancing the period");
  }
}
