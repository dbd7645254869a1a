"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult, FormState } from "@/components/admin/form-state";
import { releaseHold } from "@/lib/admin/release-hold";
import { setKeyDisabled } from "@/lib/admin/set-key-disabled";
import { setUserDisabled } from "@/lib/admin/set-user-disabled";
import { requireAdmin } from "@/lib/auth/require-admin";
import { ADJUSTMENT_MAX_MICROS, adjustBalance } from "@/lib/billing/adjust-balance";
import { refundTopUp } from "@/lib/billing/refund-top-up";
import { isAppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { displayUsd, parseUsdField } from "@/lib/money";

const GENERIC = "Something went wrong. Please try again.";

function fail(error: unknown, what: string): { ok: false; error: string } {
  if (isAppError(error)) return { ok: false, error: error.message };
  console.error(`[admin] ${what} failed`, error);
  return { ok: false, error: GENERIC };
}

export async function adjustBalanceAction(userId: string, _previous: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const direction = form.get("direction") === "debit" ? -1n : 1n;
  const invalid = "Enter an amount in dollars greater than zero, like 5 or 12.50.";
  const parsed = parseUsdField(String(form.get("amount") ?? ""), { largest: "adjustment", maxMicros: ADJUSTMENT_MAX_MICROS, invalid });
  if (!parsed.ok) return { status: "error", error: parsed.error };
  const amount = parsed.micros;
  if (amount === null || amount <= 0n) return { status: "error", error: invalid };
  const reason = String(form.get("reason") ?? "").trim();
  if (reason.length < 3) return { status: "error", error: "Say why (at least 3 characters): the reason is written to the ledger and the audit log." };
  try {
    const entry = await adjustBalance({
      ctx: admin,
      input: { userId, amountMicros: direction * amount, reason, idempotencyKey: String(form.get("idempotencyKey") ?? "") || undefined, ip: await clientIp() },
    });
    revalidatePath(`/admin/customers/${userId}`);
    return {
      status: "ok",
      message: entry.applied
        ? `${direction > 0n ? "Credited" : "Debited"} ${displayUsd(amount)}. The balance is now ${displayUsd(entry.balanceAfterMicros)}.`
        : "This adjustment was already applied.",
    };
  } catch (error) {
    if (isAppError(error) && error.code === "insufficient_balance") {
      return { status: "error", error: `${error.message}; an account cannot go below $0.` };
    }
    const failure = fail(error, "adjustment");
    return { status: "error", error: failure.error };
  }
}

export async function refundAction(userId: string, paymentId: string): Promise<ActionResult> {
  const admin = await requireAdmin();
  try {
    const result = await refundTopUp({ ctx: admin, input: { paymentId, reason: "Refunded by an operator", ip: await clientIp() } });
    revalidatePath(`/admin/customers/${userId}`);
    return {
      ok: true,
      message:
        result.shortfallMicros > 0n
          ? `Refunded ${displayUsd(result.refundedMicros)}; ${displayUsd(result.shortfallMicros)} had already been spent.`
          : `Refunded ${displayUsd(result.refundedMicros)}.`,
    };
  } catch (error) {
    return fail(error, "refund");
  }
}

export async function setUserDisabledAction(userId: string, disabled: boolean): Promise<ActionResult> {
  const admin = await requireAdmin();
  try {
    await setUserDisabled({ ctx: admin, input: { userId, disabled, ip: await clientIp() } });
  } catch (error) {
    return fail(error, "disabling an account");
  }
  revalidatePath(`/admin/customers/${userId}`);
  return { ok: true };
}

export async function setKeyDisabledAction(userId: string, keyId: string, disabled: boolean): Promise<ActionResult> {
  const admin = await requireAdmin();
  try {
    await setKeyDisabled({ ctx: admin, input: { keyId, disabled, ip: await clientIp() } });
  } catch (error) {
    return fail(error, "disabling a key");
  }
  revalidatePath(`/admin/customers/${userId}`);
  return { ok: true };
}

export async function releaseHoldAction(userId: string, holdId: string): Promise<ActionResult> {
  const admin = await requireAdmin();
  try {
    const { released } = await releaseHold({ ctx: admin, input: { holdId, ip: await clientIp() } });
    revalidatePath(`/admin/customers/${userId}`);
    return released ? { ok: true } : { ok: false, error: "This hold was already settled or released." };
  } catch (error) {
    return fail(error, "releasing a hold");
  }
}
