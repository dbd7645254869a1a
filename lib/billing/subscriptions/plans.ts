// Plans: the catalog's recurring tiers, and the allowances a plan gives each period.
import { addMonths, addYears } from "date-fns";
import { z } from "zod";
import type { AllowanceUnit, BillingInterval, ModelType } from "@/generated/prisma/client";

export interface AllowanceSpec {
  /** Names the allowance within its subscription, so a new period updates the same row. */
  slot: string;
  label: string;
  /** Empty covers every model (of the types). */
  modelIds: string[];
  /** Empty covers every type. */
  modelTypes: ModelType[];
  unit: AllowanceUnit;
  /** Null is unlimited (bounded by ratePerMinute). */
  limit: bigint | null;
  ratePerMinute: number | null;
}

export interface PlanTerms {
  allowanceMicros: bigint;
  modelIds: string[];
  imageAllowance: number | null;
  taskAllowance: number | null;
}

/**
 * A plan's allowances: one shared budget in micros across the covered models; image models count
 * images and video/music models count tasks instead, when the plan says how many.
 */
export function planAllowances(plan: PlanTerms): AllowanceSpec[] {
  const modelIds = plan.modelIds;
  const specs: AllowanceSpec[] = [
    { slot: "shared", label: "Included usage", modelIds, modelTypes: [], unit: "MICROS", limit: plan.allowanceMicros, ratePerMinute: null },
  ];
  if (plan.imageAllowance !== null) {
    specs.push({ slot: "images", label: "Images", modelIds, modelTypes: ["IMAGE"], unit: "UNITS", limit: BigInt(plan.imageAllowance), ratePerMinute: null });
  }
  if (plan.taskAllowance !== null) {
    specs.push({ slot: "tasks", label: "Video and music tasks", modelIds, modelTypes: ["VIDEO", "MUSIC"], unit: "UNITS", limit: BigInt(plan.taskAllowance), ratePerMinute: null });
  }
  return specs;
}

export function periodEnd(start: Date, interval: BillingInterval): Date {
  return interval === "YEAR" ? addYears(start, 1) : addMonths(start, 1);
}

/** A plan's price per month, to tell an upgrade from a downgrade across intervals. */
export function monthlyMicros(plan: { priceMicros: bigint; interval: BillingInterval }): bigint {
  return plan.interval === "YEAR" ? plan.priceMicros / 12n : plan.priceMicros;
}

/** A plan's slug: its public name in URLs (/plans/sandbox-checkout/<slug>). */
export const PLAN_SLUG = /^[a-z0-9][a-z0-9-]{1,39}$/;
const Slug = z.string().trim().toLowerCase().regex(PLAN_SLUG, "Use 2–40 lowercase letters, digits and dashes.");

/** What an operator enters for a plan (money already in micros; the admin form parses dollars with lib/money). */
export const PlanInput = z.object({
  slug: Slug,
  name: z.string().trim().min(1, "Give the plan a name.").max(80),
  description: z.string().trim().max(500).default(""),
  interval: z.enum(["MONTH", "YEAR"]).default("MONTH"),
  priceMicros: z.bigint().min(0n),
  allowanceMicros: z.bigint().min(0n),
  modelIds: z.array(z.string().trim().min(1)).max(200).default([]),
  imageAllowance: z.number().int().min(0).nullable().default(null),
  taskAllowance: z.number().int().min(0).nullable().default(null),
  overageToBalance: z.boolean().default(true),
  stripePriceId: z.string().trim().regex(/^price_[A-Za-z0-9]+$/, "A Stripe price id starts with price_.").nullable().default(null),
  active: z.boolean().default(true),
});
export type PlanInput = z.infer<typeof PlanInput>;
