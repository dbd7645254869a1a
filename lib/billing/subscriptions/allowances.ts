// Writes a subscription's allowances for a period. Used inside the transactions of the subscription
// verbs; the gateway's hold statements (lib/billing/holds) are the only other writers of these rows.
import type { Prisma } from "@/generated/prisma/client";
import type { AllowanceSpec } from "./plans";

type Tx = Prisma.TransactionClient;

export type AllowanceWrite =
  /** A new period: fresh allowances (unused allowance does not roll over). */
  | { mode: "reset" }
  /** Same period, new terms (an upgrade): each limit prorated between the old and the new terms. */
  | { mode: "prorate"; elapsed: number }
  /** Same period, new terms taking effect as they are (an operator editing a custom subscription). */
  | { mode: "update" };

export async function writeAllowances(
  tx: Tx,
  subscription: { id: string; accountId: string },
  specs: AllowanceSpec[],
  write: AllowanceWrite,
): Promise<void> {
  const existing = await tx.allowance.findMany({ where: { subscriptionId: subscription.id } });
  for (const spec of specs) {
    const old = existing.find((a) => a.slot === spec.slot);
    let limit = spec.limit;
    if (write.mode === "prorate" && limit !== null) {
      // Old terms for the elapsed part of the period, new terms for the rest (per mille, in integers).
      const elapsed = BigInt(Math.round(Math.min(1, Math.max(0, write.elapsed)) * 1000));
      const before = old?.active ? (old.limitValue ?? limit) : 0n;
      limit = (before * elapsed + limit * (1000n - elapsed) + 999n) / 1000n;
    }
    const fields = {
      label: spec.label,
      modelIds: spec.modelIds,
      modelTypes: spec.modelTypes,
      unit: spec.unit,
      limitValue: limit,
      ratePerMinute: spec.ratePerMinute,
      active: true,
    };
    if (old) {
      await tx.allowance.update({
        where: { id: old.id },
        data: {
          ...fields,
          ...(write.mode === "reset" ? { usedValue: 0n } : {}),
        },
      });
    } else {
      await tx.allowance.create({ data: { ...fields, subscriptionId: subscription.id, accountId: subscription.accountId, slot: spec.slot } });
    }
  }
  const kept = new Set(specs.map((s) => s.slot));
  const retired = existing.filter((a) => !kept.has(a.slot)).map((a) => a.id);
  if (retired.length > 0) await tx.allowance.updateMany({ where: { id: { in: retired } }, data: { active: false } });
}
