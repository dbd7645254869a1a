// Starts a top-up: a Stripe Checkout Session when Stripe is configured, else the sandbox checkout.
// Either way the balance is credited only when the checkout is paid (webhook or sandbox "Pay").
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { stripeEnabled } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { MICROS_PER_CENT, TopUpInput } from "./limits";
import { getStripe } from "./stripe";
import { ensureStripeCustomer } from "./stripe-customer";

export async function createTopUp({
  ctx,
  input,
  origin,
}: {
  ctx: Pick<UserCtx, "userId">;
  input: TopUpInput & { saveCard?: boolean };
  origin: string;
}) {
  const parsed = TopUpInput.safeParse(input);
  if (!parsed.success) {
    throw new AppError("invalid_request", parsed.error.issues[0]!.message, { param: "amount" });
  }
  const { amountMicros } = parsed.data;

  if (!stripeEnabled) {
    const externalId = `cs_sandbox_${randomBytes(16).toString("hex")}`;
    await db.payment.create({ data: { userId: ctx.userId, provider: "SANDBOX", externalId, amountMicros } });
    return { url: `${origin}/billing/sandbox-checkout/${externalId}`, sandbox: true };
  }

  const customer = await ensureStripeCustomer(ctx.userId);
  const metadata = { purpose: "topup", user_id: ctx.userId, ...(input.saveCard ? { save_card: "1" } : {}) };
  const session = await getStripe().checkout.sessions.create({
    mode: "payment",
    customer,
    client_reference_id: ctx.userId,
    payment_intent_data: { metadata, ...(input.saveCard ? { setup_future_usage: "off_session" as const } : {}) },
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: "usd",
          unit_amount: Number(amountMicros / MICROS_PER_CENT),
          product_data: { name: "Account credit" },
        },
      },
    ],
    metadata,
    success_url: `${origin}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${origin}/billing?checkout=canceled`,
  });
  if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
  await db.payment.create({ data: { userId: ctx.userId, provider: "STRIPE", externalId: session.id, amountMicros } });
  return { url: session.url, sandbox: false };
}
