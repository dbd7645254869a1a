"use server";

import { redirect } from "next/navigation";
import { parseTopUpAmount } from "@/components/billing/top-up-amount";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { requestOrigin } from "@/lib/http/request-origin";
import { updateAutoTopUp, updateLowBalanceAlert } from "@/lib/payments/billing-settings";
import { createTopUp } from "@/lib/payments/create-top-up";
import { revalidatePath } from "next/cache";
import { parseUsdField } from "@/lib/money";
import { AUTO_TOPUP_CAP_MAX_MICROS, TOPUP_MAX_MICROS } from "@/lib/payments/limits";

export interface TopUpState {
  error: string | null;
}

/** "Add funds": starts a checkout (Stripe or sandbox) and sends the browser there. */
export async function startTopUp(_previous: TopUpState, formData: FormData): Promise<TopUpState> {
  const user = await requireUser();
  const amount = parseTopUpAmount(String(formData.get("amount") ?? ""));
  if (!amount.ok) return { error: amount.error };

  let url: string;
  try {
    const origin = await requestOrigin();
    ({ url } = await createTopUp({
      ctx: { userId: user.userId },
      input: { amountMicros: amount.amountMicros, saveCard: formData.get("saveCard") === "1" },
      origin,
    }));
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    console.error("[billing] could not start a top-up", error);
    return { error: "Something went wrong starting the checkout. Please try again." };
  }
  redirect(url);
}

export interface SettingsState {
  error: string | null;
  saved: boolean;
}

/** A dollar field of the form: its amount (null when empty), or the message saying what is wrong with it. */
const dollarField = (formData: FormData, name: string, field: Parameters<typeof parseUsdField>[1]) => parseUsdField(String(formData.get(name) ?? ""), field);

/** Auto top-up: on/off, threshold, amount, monthly cap. */
export async function saveAutoTopUp(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireUser();
  const thresholdHint = "Enter the balance that triggers a top-up, like 5.00";
  const amountHint = "Enter the amount to add, like 20.00";
  const threshold = dollarField(formData, "threshold", { largest: "threshold", maxMicros: TOPUP_MAX_MICROS, invalid: thresholdHint });
  const amount = dollarField(formData, "amount", { largest: "top-up", maxMicros: TOPUP_MAX_MICROS, invalid: amountHint });
  const cap = dollarField(formData, "cap", { largest: "monthly cap", maxMicros: AUTO_TOPUP_CAP_MAX_MICROS, invalid: "Enter the monthly cap as a dollar amount, or leave it empty" });
  if (!threshold.ok) return { error: threshold.error, saved: false };
  if (threshold.micros === null) return { error: thresholdHint, saved: false };
  if (!amount.ok) return { error: amount.error, saved: false };
  if (amount.micros === null) return { error: amountHint, saved: false };
  if (!cap.ok) return { error: cap.error, saved: false };
  try {
    await updateAutoTopUp({
      ctx: { userId: user.userId },
      input: { enabled: formData.get("enabled") === "1", thresholdMicros: threshold.micros, amountMicros: amount.micros, monthlyCapMicros: cap.micros },
    });
  } catch (error) {
    if (isAppError(error)) return { error: error.message, saved: false };
    console.error("[billing] could not save auto top-up", error);
    return { error: "Something went wrong saving your settings. Please try again.", saved: false };
  }
  revalidatePath("/", "layout");
  return { error: null, saved: true };
}

/** The low-balance alert threshold (empty turns the alert off). */
export async function saveLowBalanceAlert(_previous: SettingsState, formData: FormData): Promise<SettingsState> {
  const user = await requireUser();
  const threshold = dollarField(formData, "alertThreshold", { largest: "alert threshold", maxMicros: TOPUP_MAX_MICROS, invalid: "Enter the alert threshold as a dollar amount, like 5.00" });
  if (!threshold.ok) return { error: threshold.error, saved: false };
  try {
    await updateLowBalanceAlert({ ctx: { userId: user.userId }, input: { thresholdMicros: threshold.micros } });
  } catch (error) {
    if (isAppError(error)) return { error: error.message, saved: false };
    console.error("[billing] could not save the alert", error);
    return { error: "Something went wrong saving your settings. Please try again.", saved: false };
  }
  revalidatePath("/", "layout");
  return { error: null, saved: true };
}
