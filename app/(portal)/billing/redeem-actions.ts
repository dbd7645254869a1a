"use server";

import { revalidatePath } from "next/cache";
import { requireUser } from "@/lib/auth/session";
import { redeemCode } from "@/lib/billing/redeem-code";
import { isAppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { displayUsd } from "@/lib/money";

export type RedeemState = { status: "idle" } | { status: "error"; error: string } | { status: "ok"; message: string };

/** "Redeem a code" on the Billing page. */
export async function redeemCodeAction(_previous: RedeemState, form: FormData): Promise<RedeemState> {
  const user = await requireUser();
  try {
    const result = await redeemCode({ ctx: { userId: user.userId }, input: { code: String(form.get("code") ?? ""), ip: await clientIp() } });
    revalidatePath("/billing", "layout");
    return { status: "ok", message: `${displayUsd(result.amountMicros)} was added to your balance.` };
  } catch (error) {
    if (isAppError(error)) return { status: "error", error: error.message };
    console.error("[billing] could not redeem a code", error);
    return { status: "error", error: "Something went wrong redeeming the code. Please try again." };
  }
}
