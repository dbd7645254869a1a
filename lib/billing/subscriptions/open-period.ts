// Opens a subscription's next period when it is paid (Stripe's invoice.paid, a sandbox or manual
// renewal): fresh allowances — unused allowance does not roll over — and any downgrade waiting for the
// period end takes effect. Exactly once per period, whatever the number or order of deliveries: the
// invoice is recorded by its unique id, and only a period that starts after the current one opens.
import { db } from "@/lib/db";
import { writeAllowances } from "./allowances";
import { planAllowances } from "./plans";

export interface OpenPeriodInput {
  subscriptionId: string;
  /** The payment's unique id (a Stripe invoice id, `sandbox:…`, `manual:…`). */
  externalId: string;
  amountMicros: bigint;
  periodStart: Date;
  periodEnd: Date;
  receiptUrl?: string | null;
}

export type OpenPeriodResult = "opened" | "recorded" | "duplicate";

export async function openPeriod(input: OpenPeriodInput): Promise<OpenPeriodResult> {
  return db.$transaction(async (tx) => {
    const [subscription] = await tx.$queryRaw<{ id: string; account_id: string; current_period_start: Date; status: string }[]>`
      SELECT id::text, account_id::text, current_period_start, status::text FROM subscriptions
      WHERE id = ${input.subscriptionId}::uuid FOR UPDATE`;
    if (!subscription) throw new Error(`openPeriod: no subscription ${input.subscriptionId}`);

    const recorded = await tx.subscriptionInvoice.createMany({
      data: [{
        subscriptionId: subscription.id,
        externalId: input.externalId,
        amountMicros: input.amountMicros,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        receiptUrl: input.receiptUrl ?? null,
      }],
      skipDuplicates: true,
    });
    if (recorded.count === 0) return "duplicate";
    // An invoice for the current (or an older) period, arriving late or out of order: kept as a record.
    if (input.periodStart.getTime() <= subscription.current_period_start.getTime() || subscription.status === "CANCELED") return "recorded";

    const current = await tx.subscription.findUniqueOrThrow({ where: { id: subscription.id }, include: { pendingPlan: true, plan: true } });
    const plan = current.pendingPlan ?? current.plan;
    await tx.subscription.update({
      where: { id: subscription.id },
      data: {
        currentPeriodStart: input.periodStart,
        currentPeriodEnd: input.periodEnd,
        status: "ACTIVE",
        updatedAt: new Date(),
        ...(current.pendingPlan
          ? {
              planId: current.pendingPlan.id,
              pendingPlanId: null,
              name: current.pendingPlan.name,
              priceMicros: current.pendingPlan.priceMicros,
              interval: current.pendingPlan.interval,
              balanceFallback: current.balanceFallback && current.pendingPlan.overageToBalance,
            }
          : {}),
      },
    });
    if (plan) {
      await writeAllowances(tx, { id: subscription.id, accountId: subscription.account_id }, planAllowances(plan), { mode: "reset" });
    } else {
      // A custom subscription keeps its configured allowances; a new period starts them from zero.
      await tx.allowance.updateMany({ where: { subscriptionId: subscription.id }, data: { usedValue: 0n } });
    }
    return "opened";
  });
}
