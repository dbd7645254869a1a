// What each new code is worth goes through lib/money's parseUsdField: thousands separators are fine, and a
// refused amount says what is wrong with it.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CreateCodesInput } from "@/lib/admin/create-codes";

const created = vi.hoisted(() => ({ inputs: [] as CreateCodesInput[] }));
vi.mock("@/lib/auth/require-admin", () => ({ requireAdmin: async () => ({ userId: "admin" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("@/lib/admin/create-codes", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/admin/create-codes")>()),
  createCodes: async ({ input }: { input: CreateCodesInput }) => {
    created.inputs.push(input);
    return { batchId: "batch", amountMicros: input.amountMicros, expiresAt: input.expiresAt, codes: ["MW-TEST"] };
  },
}));

const { createCodesAction } = await import("./actions");

function submit(amount: string) {
  const form = new FormData();
  form.set("amount", amount);
  form.set("count", "2");
  form.set("expires", "2099-12-31");
  return createCodesAction({ status: "idle" }, form);
}

describe("createCodesAction", () => {
  beforeEach(() => {
    created.inputs = [];
  });

  it("creates codes worth an amount typed with thousands separators, to the micro", async () => {
    expect(await submit("$1,234.50")).toMatchObject({ status: "created", amount: "$1,234.50" });
    expect(created.inputs[0]).toMatchObject({ amountMicros: 1_234_500_000n, count: 2 });
  });

  it.each([
    ["1.1234567", "Use at most six decimal places (a millionth of a dollar)."],
    ["10,000.01", "The largest code value is $10,000.00."],
    ["99999999999999", "The largest code value is $10,000.00."],
    ["ten", "Enter what each code is worth in dollars, like 10 or 2.50."],
    ["", "Enter what each code is worth in dollars, like 10 or 2.50."],
    ["0", "Enter what each code is worth in dollars, like 10 or 2.50."],
  ])("refuses %j: %s", async (amount, error) => {
    expect(await submit(amount)).toEqual({ status: "error", error });
    expect(created.inputs).toHaveLength(0);
  });
});
