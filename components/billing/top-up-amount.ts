import { tryParseUsd } from "@/lib/money";
import { TopUpInput } from "@/lib/payments/limits";

/** The top-up amount field, checked the same way in the browser and in the server action. */
export function parseTopUpAmount(text: string): { ok: true; amountMicros: bigint } | { ok: false; error: string } {
  if (!text.trim()) return { ok: false, error: "Enter an amount, or pick one of the buttons above." };
  const micros = tryParseUsd(text.replace(/,/g, ""));
  if (micros === null) return { ok: false, error: "Enter an amount in dollars, like 25 or 25.50." };
  const parsed = TopUpInput.safeParse({ amountMicros: micros });
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? "Enter a valid amount." };
  return { ok: true, amountMicros: parsed.data.amountMicros };
}
