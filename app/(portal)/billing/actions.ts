"use server";

import { redirect } from "next/navigation";
import { parseTopUpAmount } from "@/components/billing/top-up-amount";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { requestOrigin } from "@/lib/http/request-origin";
import { createTopUp } from "@/lib/payments/create-top-up";

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
    ({ url } = await createTopUp({ ctx: { userId: user.userId }, input: { amountMicros: amount.amountMicros }, origin }));
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    console.error("[billing] could not start a top-up", error);
    return { error: "Something went wrong starting the checkout. Please try again." };
  }
  redirect(url);
}
