import { describe, expect, it } from "vitest";
import { signUp } from "@/lib/auth/sign-up";
import { ADJUSTMENT_MAX_MICROS, adjustBalance } from "@/lib/billing/adjust-balance";
import { createFunded } from "@/scripts/test/fixtures";

describe("an operator's balance adjustment", () => {
  it("names the largest adjustment when refusing a larger one, either way", async () => {
    const admin = await signUp({ input: { email: `admin-${Date.now()}@example.test`, password: "correct horse battery" }, role: "ADMIN" });
    const customer = await createFunded(2_000_000n);
    const ctx = { userId: admin.id };
    for (const amountMicros of [ADJUSTMENT_MAX_MICROS + 1n, -ADJUSTMENT_MAX_MICROS - 1n]) {
      await expect(adjustBalance({ ctx, input: { userId: customer.user.id, amountMicros, reason: "too much" } })).rejects.toMatchObject({
        message: "The largest adjustment is $1,000,000.00",
      });
    }
  });

  it("says the available balance when refusing a debit larger than it", async () => {
    const admin = await signUp({ input: { email: `admin2-${Date.now()}@example.test`, password: "correct horse battery" }, role: "ADMIN" });
    const customer = await createFunded(2_500_000n);
    await expect(adjustBalance({ ctx: { userId: admin.id }, input: { userId: customer.user.id, amountMicros: -3_000_000n, reason: "too much" } })).rejects.toMatchObject({
      code: "insufficient_balance",
      message: "The debit of $3.00 is larger than the available balance of $2.50",
    });
  });
});
