// One Stripe customer per user, created on first need and remembered.
import { db } from "@/lib/db";
import { getStripe } from "./stripe";

export async function ensureStripeCustomer(userId: string): Promise<string> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, stripeCustomerId: true } });
  if (user.stripeCustomerId) return user.stripeCustomerId;
  const customer = await getStripe().customers.create(
    { email: user.email, metadata: { user_id: userId } },
    { idempotencyKey: `customer-${userId}` },
  );
  // Two concurrent first top-ups get the same customer (same idempotency key); either write is right.
  await db.user.update({ where: { id: userId }, data: { stripeCustomerId: customer.id } });
  return customer.id;
}
