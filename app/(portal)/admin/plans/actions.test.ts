// The plan form's dollar fields go through lib/money's parseUsdField: thousands separators are fine, and a
// refused amount says what is wrong with it and names the field, since the form answers with one message.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { submitForm } from "@/scripts/test/submit-form";
import type { SavePlanInput } from "@/lib/admin/save-plan";

const saved = vi.hoisted(() => ({ inputs: [] as SavePlanInput[] }));
vi.mock("@/lib/auth/require-admin", () => ({ requireAdmin: async () => ({ userId: "admin" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { url });
  },
}));
vi.mock("@/lib/admin/save-plan", () => ({
  savePlan: async ({ input }: { input: SavePlanInput }) => {
    saved.inputs.push(input);
    return { id: "plan", name: input.name };
  },
}));

const { savePlanAction } = await import("./actions");

const submit = (fields: Record<string, string>) => submitForm((form) => savePlanAction({ status: "idle" }, form), { slug: "pro", name: "Pro", ...fields });

describe("savePlanAction", () => {
  beforeEach(() => {
    saved.inputs = [];
  });

  it("saves amounts typed with thousands separators, to the micro", async () => {
    expect(await submit({ price: "1,234.50", allowance: "$0.000001" })).toEqual({ redirectedTo: "/admin/plans?saved=Pro" });
    expect(saved.inputs).toHaveLength(1);
    expect(saved.inputs[0]).toMatchObject({ priceMicros: 1_234_500_000n, allowanceMicros: 1n });
  });

  it.each([
    [{ price: "1.1234567", allowance: "10" }, "Price: use at most six decimal places (a millionth of a dollar)."],
    [{ price: "9", allowance: "0.0000001" }, "Included usage: use at most six decimal places (a millionth of a dollar)."],
    [{ price: "1,000,000.01", allowance: "10" }, "Price: the largest price is $1,000,000.00."],
    [{ price: "9", allowance: "99999999999999" }, "Included usage: the largest included usage is $1,000,000.00."],
    [{ price: "nine", allowance: "10" }, "Price: enter a dollar amount like 9.00 (up to six decimals)."],
    [{ price: "", allowance: "10" }, "Price: enter a dollar amount like 9.00 (up to six decimals)."],
    [{ price: "9", allowance: "-1" }, "Included usage: enter a dollar amount like 10.00 (up to six decimals)."],
  ])("refuses %o: %s", async (fields, error) => {
    expect(await submit(fields)).toEqual({ status: "error", error });
    expect(saved.inputs).toHaveLength(0);
  });
});
