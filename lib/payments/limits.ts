import { z } from "zod";
import { displayUsd } from "@/lib/money";

export const TOPUP_MIN_MICROS = 5_000_000n; // $5
export const TOPUP_MAX_MICROS = 10_000_000_000n; // $10,000
/**
 * The most auto top-up may add in a calendar month: a hundred of the largest top-ups. Any cap above it is no
 * cap; the limit keeps the field's "too large" message naming a real amount.
 */
export const AUTO_TOPUP_CAP_MAX_MICROS = 100n * TOPUP_MAX_MICROS; // $1,000,000
export const TOPUP_PRESETS_MICROS = [10_000_000n, 20_000_000n, 50_000_000n, 100_000_000n];
/** Stripe amounts are in cents. */
export const MICROS_PER_CENT = 10_000n;

export const TopUpInput = z.object({
  amountMicros: z
    .bigint()
    .min(TOPUP_MIN_MICROS, `The smallest top-up is ${displayUsd(TOPUP_MIN_MICROS)}.`)
    .max(TOPUP_MAX_MICROS, `The largest top-up is ${displayUsd(TOPUP_MAX_MICROS)}.`)
    .refine((v) => v % MICROS_PER_CENT === 0n, "Use whole cents."),
});
export type TopUpInput = z.infer<typeof TopUpInput>;
