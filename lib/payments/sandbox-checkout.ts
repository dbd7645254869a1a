// The sandbox checkout: what Stripe Checkout does, without Stripe, clearly marked as such. "Pay" hands
// a Checkout-Session-shaped object to the same handler a Stripe webhook uses.
import { z } from "zod";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { SANDBOX_PAYMENT_METHOD } from "@/lib/billing/auto-top-up";
import { checkoutSessionCompleted } from "@/lib/billing/webhooks/checkout-session-completed";
import { MICROS_PER_CENT } from "./limits";

/** How long a sandbox checkout may be paid, as Stripe Checkout Sessions (24 h by default). */
export const SANDBOX_CHECKOUT_TTL_MS = 24 * 60 * 60 * 1000;
const EXPIRED = { status: "CANCELED", failureReason: "the checkout expired before payment" } as const;

const SessionInput = z.object({ sessionId: z.string().regex(/^cs_sandbox_[0-9a-f]{32}$/, "Unknown checkout") });

async function find(userId: string, sessionId: string) {
  const parsed = SessionInput.safeParse({ sessionId });
  if (!parsed.success) throw new AppError("not_found", "This checkout does not exist.");
  const payment = await db.payment.findFirst({
    where: { externalId: parsed.data.sessionId, userId, provider: "SANDBOX" },
    select: { id: true, externalId: true, amountMicros: true, status: true, createdAt: true, completedAt: true },
  });
  if (!payment) throw new AppError("not_found", "This checkout does not exist.");
  return payment;
}

export function getSandboxCheckout({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { sessionId: string } }) {
  return find(ctx.userId, input.sessionId);
}

/**
 * Pays the checkout. Paying again (a double click, a replayed form) credits nothing more. `saveCard`
 * keeps the sandbox "card" for auto top-up, so that feature works end to end without Stripe too.
 */
export async function paySandboxCheckout({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { sessionId: string; saveCard?: boolean } }) {
  const payment = await find(ctx.userId, input.sessionId);
  if (payment.status === "PENDING" && payment.createdAt.getTime() < Date.now() - SANDBOX_CHECKOUT_TTL_MS) {
    await db.payment.updateMany({ where: { id: payment.id, status: "PENDING" }, data: { ...EXPIRED, completedAt: new Date() } });
    throw new AppError("conflict", "This checkout expired. Start a new top-up.");
  }
  if (payment.status === "CANCELED") throw new AppError("conflict", "This checkout was canceled. Start a new top-up.");
  const result = await checkoutSessionCompleted(
    {
      id: payment.externalId,
      client_reference_id: ctx.userId,
      amount_total: Number(payment.amountMicros / MICROS_PER_CENT),
      currency: "usd",
      mode: "payment",
      payment_status: "paid",
      metadata: { purpose: "topup" },
    },
    "SANDBOX",
  );
  if (input.saveCard) {
    await db.account.update({
      where: { userId: ctx.userId },
      data: { autoTopupPaymentMethodId: SANDBOX_PAYMENT_METHOD, autoTopupFailures: 0, autoTopupNotice: null },
    });
  }
  return { credited: result.credited, amountMicros: payment.amountMicros };
}

export async function cancelSandboxCheckout({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { sessionId: string } }) {
  const payment = await find(ctx.userId, input.sessionId);
  if (payment.status === "PENDING") {
    await db.payment.updateMany({ where: { id: payment.id, status: "PENDING" }, data: { status: "CANCELED" } });
  }
  return { canceled: payment.status === "PENDING" };
}

/** Marks sandbox checkouts nobody paid within SANDBOX_CHECKOUT_TTL_MS as canceled (the background sweep). */
export async function expireSandboxCheckouts(): Promise<number> {
  const { count } = await db.payment.updateMany({
    where: { provider: "SANDBOX", status: "PENDING", kind: "TOPUP", createdAt: { lt: new Date(Date.now() - SANDBOX_CHECKOUT_TTL_MS) } },
    data: { ...EXPIRED, completedAt: new Date() },
  });
  return count;
}
