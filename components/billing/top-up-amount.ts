import { parseUsdInput, usdInputMessage } from "@/lib/money";
import { TOPUP_MAX_MICROS, TopUpInput } from "@/lib/payments/limits";

/** The top-up amount field, checked the same way in the browser and in the server action. */
export function parseTopUpAmount(text: string): { ok: true; amountMicros: bigint } | { ok: false; error: string } {
  const parsed = parseUsdInput(text);
  if (!parsed.ok) {
    if (parsed.problem === "empty") return { ok: false, error: "Enter an amount, or pick one of the buttons above." };
    // A top-up is paid in cents: more than six places is as wrong as three, and says the same.
    if (parsed.problem === "too_precise") return { ok: false, error: "Use whole cents." };
    return { ok: false, error: usdInputMessage(parsed.problem, { largest: "top-up", maxMicros: TOPUP_MAX_MICROS, invalid: "Enter an amount in dollars, like 25 or 25.50." }) };
  }
  const checked = TopUpInput.safeParse({ amountMicros: parsed.micros });
  if (!checked.success) return { ok: false, error: checked.error.issues[0]?.message ?? "Enter a valid amount." };
  return { ok: true, amountMicros: checked.data.amountMicros };
}
