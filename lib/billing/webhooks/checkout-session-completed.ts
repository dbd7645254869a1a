// checkout.session.completed (and async_payment_succeeded): a paid top-up is credited once.
import { z } from "zod";
import { MICROS_PER_CENT } from "@/lib/payments/limits";
import { creditTopUp } from "../top-ups";

export const CheckoutSession = z.object({
  id: z.string().min(1),
  client_reference_id: z.uuid().nullable(),
  amount_total: z.number().int().nonnegative().nullable(),
  currency: z.string().nullable().optional(),
  mode: z.string().optional(),
  payment_status: z.enum(["paid", "unpaid", "no_payment_required"]),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
});
export type CheckoutSession = z.infer<typeof CheckoutSession>;

export async function checkoutSessionCompleted(
  object: unknown,
  provider: "STRIPE" | "SANDBOX" = "STRIPE",
): Promise<{ credited: boolean; reason?: string }> {
  const session = CheckoutSession.parse(object);
  if (session.mode && session.mode !== "payment") return { credited: false, reason: "not a top-up" };
  if (session.metadata?.purpose && session.metadata.purpose !== "topup") return { credited: false, reason: "not a top-up" };
  if (session.payment_status !== "paid") return { credited: false, reason: "not paid yet" };
  if (!session.client_reference_id || session.amount_total === null) return { credited: false, reason: "no user or amount" };
  if (session.currency && session.currency.toLowerCase() !== "usd") return { credited: false, reason: "not USD" };
  const { credited } = await creditTopUp({
    provider,
    externalId: session.id,
    userId: session.client_reference_id,
    amountMicros: BigInt(session.amount_total) * MICROS_PER_CENT,
  });
  return { credited };
}
