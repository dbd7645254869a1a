"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { cancelSandboxCheckout, paySandboxCheckout } from "@/lib/payments/sandbox-checkout";

export interface CheckoutState {
  error: string | null;
}

async function run(verb: typeof paySandboxCheckout | typeof cancelSandboxCheckout, formData: FormData, done: string): Promise<CheckoutState> {
  const user = await requireUser();
  const sessionId = String(formData.get("sessionId") ?? "");
  try {
    // The verb only finds checkouts that belong to this user, so the id from the form is safe to use.
    await verb({ ctx: { userId: user.userId }, input: { sessionId, saveCard: formData.get("saveCard") === "1" } });
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    console.error("[sandbox-checkout] unexpected error", error);
    return { error: "Something went wrong. Please try again." };
  }
  revalidatePath("/", "layout");
  redirect(done);
}

export async function payCheckout(_previous: CheckoutState, formData: FormData): Promise<CheckoutState> {
  return run(paySandboxCheckout, formData, "/billing?checkout=success");
}

export async function cancelCheckout(_previous: CheckoutState, formData: FormData): Promise<CheckoutState> {
  return run(cancelSandboxCheckout, formData, "/billing?checkout=canceled");
}
