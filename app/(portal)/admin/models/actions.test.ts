// A model's prices go through lib/money's parseUsdField: thousands separators are fine, empty is no price,
// and a refused price says what is wrong with it and which of the four it is.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { submitForm } from "@/scripts/test/submit-form";
import type { ModelInput } from "@/lib/admin/schemas";

const saved = vi.hoisted(() => ({ inputs: [] as ModelInput[] }));
vi.mock("@/lib/auth/require-admin", () => ({ requireAdmin: async () => ({ userId: "admin" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { url });
  },
}));
vi.mock("@/lib/admin/save-model", () => ({
  saveModel: async ({ input }: { input: ModelInput }) => {
    saved.inputs.push(input);
  },
}));

const { saveModelAction } = await import("./actions");

const submit = (prices: Record<string, string>) =>
  submitForm((form) => saveModelAction({ status: "idle" }, form), { mode: "create", id: "acme/chat", type: "CHAT", providerId: "sandbox", upstreamModel: "chat", displayName: "Chat", ...prices });

describe("saveModelAction", () => {
  beforeEach(() => {
    saved.inputs = [];
  });

  it("saves prices typed with thousands separators, to the micro, and an empty one as none", async () => {
    expect(await submit({ inputPerMtokMicros: "1,234.50", outputPerMtokMicros: " 0.000001 ", perImageMicros: "" })).toEqual({
      redirectedTo: "/admin/models/model?id=acme%2Fchat&saved=1",
    });
    expect(saved.inputs[0]).toMatchObject({ inputPerMtokMicros: 1_234_500_000n, outputPerMtokMicros: 1n, perImageMicros: null, perTaskMicros: null });
  });

  it("leaves a negative price to the schema, which says prices cannot be negative", async () => {
    await submit({ inputPerMtokMicros: "-1", outputPerMtokMicros: "1" });
    expect(saved.inputs[0]).toMatchObject({ inputPerMtokMicros: -1_000_000n });
  });

  it.each([
    [{ inputPerMtokMicros: "1", outputPerMtokMicros: "1.1234567" }, "Output price: use at most six decimal places (a millionth of a dollar)."],
    [{ inputPerMtokMicros: "1,000,000.01", outputPerMtokMicros: "1" }, "Input price: the largest price is $1,000,000.00."],
    [{ inputPerMtokMicros: "1", outputPerMtokMicros: "1", perTaskMicros: "99999999999999" }, "Price per task: the largest price is $1,000,000.00."],
    [{ inputPerMtokMicros: "1", outputPerMtokMicros: "1", perImageMicros: "1e3" }, "Price per image: enter a dollar amount like 0.50 (up to six decimals)."],
  ])("refuses %o: %s", async (prices, error) => {
    expect(await submit(prices)).toEqual({ status: "error", error });
    expect(saved.inputs).toHaveLength(0);
  });
});
