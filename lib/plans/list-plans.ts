// The plans a customer can subscribe to (active ones, cheapest first), for the Plans page and its
// sandbox checkout. Only what a customer may see: no Stripe ids.
import { z } from "zod";
import { db } from "@/lib/db";
import { PLAN_SLUG } from "@/lib/billing/subscriptions/plans";

export const PublicPlan = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  interval: z.enum(["MONTH", "YEAR"]),
  priceMicros: z.bigint(),
  allowanceMicros: z.bigint(),
  /** Empty covers every model. */
  modelIds: z.array(z.string()),
  imageAllowance: z.number().int().nullable(),
  taskAllowance: z.number().int().nullable(),
  overageToBalance: z.boolean(),
});
export type PublicPlan = z.infer<typeof PublicPlan>;

const select = {
  id: true,
  slug: true,
  name: true,
  description: true,
  interval: true,
  priceMicros: true,
  allowanceMicros: true,
  modelIds: true,
  imageAllowance: true,
  taskAllowance: true,
  overageToBalance: true,
} as const;

export async function listPlans(): Promise<PublicPlan[]> {
  const rows = await db.plan.findMany({ where: { active: true }, orderBy: [{ priceMicros: "asc" }, { name: "asc" }], select });
  return rows.map((r) => PublicPlan.parse(r));
}

/** One active plan by its slug, or null. */
export async function findPlan(slug: string): Promise<PublicPlan | null> {
  if (!PLAN_SLUG.test(slug)) return null;
  const row = await db.plan.findFirst({ where: { slug, active: true }, select });
  return row ? PublicPlan.parse(row) : null;
}
