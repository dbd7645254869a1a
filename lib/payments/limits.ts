import { z } from "zod";

export const TOPUP_MIN_MICROS = 5_000_000n; // $5
export const TOPUP_MAX_MICROS = 10_000_000_000n; // $10,000
export const TOPUP_PRESETS_MICROS = [10_000_000n, 20_000_000n, 50_000_000n, 100_000_000n];
/** Stripe amounts are in cents. */
export const MICROS_PER_CENT = 10_000n;

export const TopUpInput = z.object({
  amountMicros: z
    .bigint()
    .min(TOPUP_MIN_MICROS, "The smallest top-up is $5.00.")
    .max(TOPUP_MAX_MICROS, "The largest top-up is $10,000.00.")
    .refine((v) => v % MICROS_PER_CENT === 0n, "Use whole cents."),
});
export type TopUpInput = z.infer<typeof TopUpInput>;
