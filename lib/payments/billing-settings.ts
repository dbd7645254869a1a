// The account's payment settings: auto top-up and the low-balance alert.
import { z } from "zod";
import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { maybeAutoTopUp } from "@/lib/billing/auto-top-up";
import { maybeAlertLowBalance } from "@/lib/billing/low-balance";
import { displayUsd } from "@/lib/money";
import { AUTO_TOPUP_CAP_MAX_MICROS, TOPUP_MAX_MICROS, TOPUP_MIN_MICROS } from "./limits";

export async function getBillingSettings({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  const account = await db.account.findUniqueOrThrow({
    where: { userId: ctx.userId },
    select: {
      balanceMicros: true,
      reservedMicros: true,
      autoTopupEnabled: true,
      autoTopupThresholdMicros: true,
      autoTopupAmountMicros: true,
      autoTopupMonthlyCapMicros: true,
      autoTopupPaymentMethodId: true,
      autoTopupFailures: true,
      autoTopupNotice: true,
      lowBalanceThresholdMicros: true,
      lowBalanceAlertedAt: true,
    },
  });
  const available = account.balanceMicros - account.reservedMicros;
  return {
    ...account,
    hasSavedCard: account.autoTopupPaymentMethodId !== null,
    /** The in-app banner: below the user's alert threshold. */
    lowBalance: account.lowBalanceThresholdMicros !== null && available < account.lowBalanceThresholdMicros,
  };
}

export const AutoTopUpInput = z
  .object({
    enabled: z.boolean(),
    thresholdMicros: z.bigint().min(0n, "The threshold cannot be negative").max(TOPUP_MAX_MICROS, `The largest threshold is ${displayUsd(TOPUP_MAX_MICROS)}.`),
    amountMicros: z.bigint().min(TOPUP_MIN_MICROS, `The smallest top-up is ${displayUsd(TOPUP_MIN_MICROS)}.`).max(TOPUP_MAX_MICROS, `The largest top-up is ${displayUsd(TOPUP_MAX_MICROS)}.`),
    monthlyCapMicros: z
      .bigint()
      .positive("The monthly cap must be more than $0")
      .max(AUTO_TOPUP_CAP_MAX_MICROS, `The largest monthly cap is ${displayUsd(AUTO_TOPUP_CAP_MAX_MICROS)}.`)
      .nullable(),
  })
  .refine((v) => v.monthlyCapMicros === null || v.monthlyCapMicros >= v.amountMicros, {
    message: "The monthly cap must be at least one top-up",
    path: ["monthlyCapMicros"],
  });
export type AutoTopUpInput = z.infer<typeof AutoTopUpInput>;

export async function updateAutoTopUp({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: AutoTopUpInput }) {
  const parsed = AutoTopUpInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("invalid_request", issue.message, { param: String(issue.path[0] ?? "") });
  }
  const v = parsed.data;
  const account = await db.account.findUniqueOrThrow({ where: { userId: ctx.userId }, select: { id: true, autoTopupPaymentMethodId: true } });
  if (v.enabled && !account.autoTopupPaymentMethodId) {
    throw new AppError("invalid_request", "Save a card first: tick “Save this card for auto top-up” on your next top-up.", { param: "enabled" });
  }
  await db.account.update({
    where: { id: account.id },
    data: {
      autoTopupEnabled: v.enabled,
      autoTopupThresholdMicros: v.thresholdMicros,
      autoTopupAmountMicros: v.amountMicros,
      autoTopupMonthlyCapMicros: v.monthlyCapMicros,
      ...(v.enabled ? { autoTopupFailures: 0, autoTopupRetryAfter: null, autoTopupNotice: null } : {}),
    },
  });
  // Already below the new threshold: top up now rather than at the next request.
  if (v.enabled) await maybeAutoTopUp(account.id);
  return { saved: true };
}

export async function updateLowBalanceAlert({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { thresholdMicros: bigint | null } }) {
  if (input.thresholdMicros !== null && (input.thresholdMicros <= 0n || input.thresholdMicros > TOPUP_MAX_MICROS)) {
    throw new AppError("invalid_request", `The alert threshold must be between $0.01 and ${displayUsd(TOPUP_MAX_MICROS)}.`, { param: "thresholdMicros" });
  }
  const account = await db.account.update({
    where: { userId: ctx.userId },
    data: { lowBalanceThresholdMicros: input.thresholdMicros, lowBalanceAlertedAt: null },
    select: { id: true },
  });
  if (input.thresholdMicros !== null) await maybeAlertLowBalance(account.id);
  return { saved: true };
}
