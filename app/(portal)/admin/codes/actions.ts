"use server";

import { revalidatePath } from "next/cache";
import { CODE_AMOUNT_MAX_MICROS, createCodes } from "@/lib/admin/create-codes";
import { requireAdmin } from "@/lib/auth/require-admin";
import { isAppError } from "@/lib/errors";
import { displayUsd, parseUsdField } from "@/lib/money";

export type CreateCodesState =
  | { status: "idle" }
  | { status: "error"; error: string }
  | { status: "created"; codes: string[]; amount: string; expiresAt: string };

export async function createCodesAction(_previous: CreateCodesState, form: FormData): Promise<CreateCodesState> {
  const admin = await requireAdmin();
  const invalid = "Enter what each code is worth in dollars, like 10 or 2.50.";
  const parsed = parseUsdField(String(form.get("amount") ?? ""), { largest: "code value", maxMicros: CODE_AMOUNT_MAX_MICROS, invalid });
  if (!parsed.ok) return { status: "error", error: parsed.error };
  const amount = parsed.micros;
  if (amount === null || amount <= 0n) return { status: "error", error: invalid };
  const countText = String(form.get("count") ?? "").trim();
  if (!/^\d{1,4}$/.test(countText)) return { status: "error", error: "Enter how many codes to create: a whole number from 1 to 1,000." };
  const expires = String(form.get("expires") ?? "").trim();
  const expiresAt = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? new Date(`${expires}T23:59:59.999Z`) : null;
  if (!expiresAt || Number.isNaN(expiresAt.getTime())) return { status: "error", error: "Pick the last day the codes can be redeemed." };
  try {
    const batch = await createCodes({ ctx: admin, input: { amountMicros: amount, count: Number(countText), expiresAt } });
    revalidatePath("/admin/codes");
    return { status: "created", codes: batch.codes, amount: displayUsd(batch.amountMicros), expiresAt: batch.expiresAt.toISOString() };
  } catch (error) {
    if (isAppError(error)) return { status: "error", error: error.message };
    console.error("[admin] could not create codes", error);
    return { status: "error", error: "Something went wrong creating the codes. Please try again." };
  }
}
