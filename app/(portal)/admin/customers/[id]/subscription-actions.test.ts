// A custom subscription's price and its lines' dollar limits go through lib/money's parseUsdField:
// thousands separators are fine, and a refused amount says what is wrong with it and where.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { submitForm } from "@/scripts/test/submit-form";
import type { CustomSubscriptionInput } from "@/lib/billing/subscriptions/custom-subscription";

const saved = vi.hoisted(() => ({ inputs: [] as CustomSubscriptionInput[] }));
vi.mock("@/lib/auth/require-admin", () => ({ requireAdmin: async () => ({ userId: "admin" }) }));
vi.mock("@/lib/http/client-ip", () => ({ clientIp: async () => null }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { url });
  },
}));
vi.mock("@/lib/admin/save-custom-subscription", () => ({
  saveCustomSubscriptionAsAdmin: async ({ input }: { input: CustomSubscriptionInput }) => {
    saved.inputs.push(input);
    return { subscriptionId: "sub", created: true };
  },
}));

const { saveCustomSubscriptionAction } = await import("./subscription-actions");

const USER = "00000000-0000-4000-8000-000000000001";

const submit = (price: string, limit = "300") =>
  submitForm((form) => saveCustomSubscriptionAction(USER, { status: "idle" }, form), {
    name: "Enterprise",
    price,
    lineCount: "1",
    "line0.label": "Chat",
    "line0.models": "sandbox/chat",
    "line0.unit": "MICROS",
    "line0.limit": limit,
  });

describe("saveCustomSubscriptionAction", () => {
  beforeEach(() => {
    saved.inputs = [];
  });

  it("saves a price and a line's dollar limit typed with thousands separators, to the micro", async () => {
    expect(await submit("1,234.50", "1,000.000001")).toEqual({ redirectedTo: `/admin/customers/${USER}?subscription=saved#subscriptions-heading` });
    expect(saved.inputs[0]).toMatchObject({ priceMicros: 1_234_500_000n, lines: [{ label: "Chat", unit: "MICROS", limit: 1_000_000_001n }] });
  });

  it("still takes any amount of up to twelve whole digits, as it did before", async () => {
    await submit("999,999,999,999.999999", "999999999999");
    expect(saved.inputs[0]).toMatchObject({ priceMicros: 999_999_999_999_999_999n, lines: [{ limit: 999_999_999_999_000_000n }] });
  });

  it.each([
    ["1.1234567", "300", "Price: use at most six decimal places (a millionth of a dollar)."],
    ["1,000,000,000,000", "300", "Price: the largest price is $999,999,999,999.999999."],
    ["", "300", "Price: enter a dollar amount like 300.00."],
    ["-1", "300", "Price: enter a dollar amount like 300.00."],
    ["300", "0.0000001", "Line 1: use at most six decimal places (a millionth of a dollar)."],
    ["300", "1000000000000", "Line 1: the largest usage limit is $999,999,999,999.999999."],
    ["300", "-5", "Line 1: enter the usage limit in dollars, like 300.00."],
    ["300", "lots", "Line 1: enter the usage limit in dollars, like 300.00."],
  ])("refuses price %j with limit %j: %s", async (price, limit, error) => {
    expect(await submit(price, limit)).toEqual({ status: "error", error });
    expect(saved.inputs).toHaveLength(0);
  });
});
