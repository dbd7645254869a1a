// Custom subscriptions: recurring access an operator configures for one customer, model by model —
// e.g. 2,000 images a month of one model, $300 a month of another, unlimited requests to a third up
// to a rate limit — at its own price, invoiced outside the portal (provider MANUAL, renewed monthly
// or yearly by the renewal job). Saving again with the same id edits the lines in place.
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { now as clockNow } from "@/lib/clock";
import { writeAllowances } from "./allowances";
import { periodEnd, type AllowanceSpec } from "./plans";

export const CustomLine = z
  .object({
    label: z.string().trim().min(1, "Name each line.").max(80),
    modelIds: z.array(z.string().trim().min(1)).min(1, "Choose at least one model for each line."),
    unit: z.enum(["MICROS", "UNITS"]),
    /** Micros for MICROS lines, a count for UNITS lines; null is unlimited. */
    limit: z.bigint().min(0n).nullable(),
    ratePerMinute: z.number().int().min(1).max(100_000).nullable().default(null),
  })
  .refine((l) => l.limit !== null || l.ratePerMinute !== null, { message: "An unlimited line needs a rate limit.", path: ["ratePerMinute"] });

export const CustomSubscriptionInput = z.object({
  subscriptionId: z.string().uuid().optional(),
  userId: z.string().uuid(),
  name: z.string().trim().min(1, "Give the subscription a name.").max(80),
  priceMicros: z.bigint().min(0n),
  interval: z.enum(["MONTH", "YEAR"]).default("MONTH"),
  balanceFallback: z.boolean().default(false),
  lines: z.array(CustomLine).min(1, "Add at least one line.").max(50),
});
export type CustomSubscriptionInput = z.infer<typeof CustomSubscriptionInput>;

function specs(lines: CustomSubscriptionInput["lines"]): AllowanceSpec[] {
  return lines.map((l, i) => ({
    slot: `line-${i + 1}`,
    label: l.label,
    modelIds: l.modelIds,
    modelTypes: [],
    unit: l.unit,
    limit: l.limit,
    ratePerMinute: l.ratePerMinute,
  }));
}

export async function saveCustomSubscription(raw: CustomSubscriptionInput): Promise<{ subscriptionId: string; created: boolean }> {
  const input = CustomSubscriptionInput.parse(raw);
  const at = clockNow();
  return db.$transaction(async (tx) => {
    const account = await tx.account.findUnique({ where: { userId: input.userId }, select: { id: true } });
    if (!account) throw new AppError("not_found", "This customer has no account.");
    if (input.subscriptionId) {
      const existing = await tx.subscription.findFirst({ where: { id: input.subscriptionId, userId: input.userId, kind: "CUSTOM" } });
      if (!existing) throw new AppError("not_found", "This subscription does not exist.");
      if (existing.status === "CANCELED") throw new AppError("conflict", "This subscription has ended.");
      await tx.subscription.update({
        where: { id: existing.id },
        data: { name: input.name, priceMicros: input.priceMicros, interval: input.interval, balanceFallback: input.balanceFallback, updatedAt: new Date() },
      });
      await writeAllowances(tx, existing, specs(input.lines), { mode: "update" });
      return { subscriptionId: existing.id, created: false };
    }
    const subscription = await tx.subscription.create({
      data: {
        accountId: account.id,
        userId: input.userId,
        kind: "CUSTOM",
        name: input.name,
        priceMicros: input.priceMicros,
        interval: input.interval,
        provider: "MANUAL",
        balanceFallback: input.balanceFallback,
        currentPeriodStart: at,
        currentPeriodEnd: periodEnd(at, input.interval),
      },
    });
    await writeAllowances(tx, subscription, specs(input.lines), { mode: "reset" });
    await tx.subscriptionInvoice.create({
      data: {
        subscriptionId: subscription.id,
        externalId: `manual:${subscription.id}:${at.toISOString()}`,
        amountMicros: input.priceMicros,
        periodStart: at,
        periodEnd: subscription.currentPeriodEnd,
      },
    });
    return { subscriptionId: subscription.id, created: true };
  });
}
