import { describe, expect, it } from "vitest";
import { parseTopUpAmount } from "@/components/billing/top-up-amount";
import { CreateKeyInput, SPEND_LIMIT_MAX_MICROS } from "@/lib/keys/schemas";
import { AutoTopUpInput } from "@/lib/payments/billing-settings";

describe("amount limits in forms", () => {
  it("tells a top-up that is too large or too precise what is wrong with it", () => {
    expect(parseTopUpAmount("99999999999999")).toEqual({ ok: false, error: "The largest top-up is $10,000.00." });
    expect(parseTopUpAmount("10000.01")).toEqual({ ok: false, error: "The largest top-up is $10,000.00." });
    expect(parseTopUpAmount("0.0000001")).toEqual({ ok: false, error: "Use whole cents." });
    expect(parseTopUpAmount("4")).toEqual({ ok: false, error: "The smallest top-up is $5.00." });
    expect(parseTopUpAmount("twenty")).toEqual({ ok: false, error: "Enter an amount in dollars, like 25 or 25.50." });
    expect(parseTopUpAmount("1,250.50")).toEqual({ ok: true, amountMicros: 1_250_500_000n });
  });

  it("caps a key's spend limit below what GET /v1/balance can send as a JSON number, and says the cap", () => {
    expect(SPEND_LIMIT_MAX_MICROS).toBeLessThan(BigInt(Number.MAX_SAFE_INTEGER));
    const result = CreateKeyInput.safeParse({ name: "k", spendLimitMicros: SPEND_LIMIT_MAX_MICROS + 1n });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("The largest spend limit is $1,000,000,000.00.");
    expect(CreateKeyInput.safeParse({ name: "k", spendLimitMicros: SPEND_LIMIT_MAX_MICROS }).success).toBe(true);
  });

  it("names the largest auto top-up threshold and monthly cap", () => {
    const base = { enabled: false, thresholdMicros: 5_000_000n, amountMicros: 20_000_000n, monthlyCapMicros: null };
    expect(AutoTopUpInput.safeParse({ ...base, thresholdMicros: 10_000_000_001n }).error?.issues[0]?.message).toBe("The largest threshold is $10,000.00.");
    expect(AutoTopUpInput.safeParse({ ...base, monthlyCapMicros: 1_000_000_000_001n }).error?.issues[0]?.message).toBe("The largest monthly cap is $1,000,000.00.");
  });
});
