import { describe, expect, it } from "vitest";
import { redeemCode } from "@/lib/billing/redeem-code";
import { createFunded } from "@/scripts/test/fixtures";

describe("redeeming a code", () => {
  it("asks for a code when the field is empty, and only then says a typed one does not look like a code", async () => {
    const { user } = await createFunded(0n);
    const ctx = { userId: user.id };
    await expect(redeemCode({ ctx, input: { code: "   " } })).rejects.toMatchObject({ code: "invalid_request", message: "Enter a code.", param: "code" });
    await expect(redeemCode({ ctx, input: { code: "hello" } })).rejects.toMatchObject({ message: expect.stringMatching(/^That doesn't look like a code/) });
  });
});
