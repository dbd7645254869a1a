import { describe, expect, it } from "vitest";
import { checkLedger } from "@/lib/billing/check-ledger";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { createTopUp } from "./create-top-up";
import { cancelSandboxCheckout, expireSandboxCheckouts, paySandboxCheckout, SANDBOX_CHECKOUT_TTL_MS } from "./sandbox-checkout";

const sessionOf = (url: string) => url.split("/").at(-1)!;

describe("sandbox checkout", () => {
  it("credits a paid checkout once, however many times and however concurrently it is paid", async () => {
    const { user, account } = await createFunded(0n);
    const { url, sandbox } = await createTopUp({ ctx: { userId: user.id }, input: { amountMicros: 20_000_000n }, origin: "http://localhost" });
    expect(sandbox).toBe(true);
    const sessionId = sessionOf(url);
    const results = await Promise.all(Array.from({ length: 20 }, () => paySandboxCheckout({ ctx: { userId: user.id }, input: { sessionId } })));
    expect(results.filter((r) => r.credited)).toHaveLength(1);
    expect(await accountState(account.id)).toMatchObject({ balance: 20_000_000n });
    const payment = await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } });
    expect(payment.status).toBe("SUCCEEDED");
    expect(await db.ledgerEntry.count({ where: { accountId: account.id, kind: "TOPUP" } })).toBe(1);
    expect((await checkLedger()).ok).toBe(true);
  });

  it("refuses someone else's checkout and a canceled one, crediting nothing", async () => {
    const owner = await createFunded(0n);
    const other = await createFunded(0n);
    const { url } = await createTopUp({ ctx: { userId: owner.user.id }, input: { amountMicros: 5_000_000n }, origin: "http://localhost" });
    const sessionId = sessionOf(url);
    await expect(paySandboxCheckout({ ctx: { userId: other.user.id }, input: { sessionId } })).rejects.toMatchObject({ code: "not_found" });
    await cancelSandboxCheckout({ ctx: { userId: owner.user.id }, input: { sessionId } });
    await expect(paySandboxCheckout({ ctx: { userId: owner.user.id }, input: { sessionId } })).rejects.toMatchObject({ code: "conflict" });
    expect((await accountState(owner.account.id)).balance).toBe(0n);
    expect((await accountState(other.account.id)).balance).toBe(0n);
  });

  it("expires a checkout nobody paid within a day, like Stripe's, crediting nothing", async () => {
    const { user, account } = await createFunded(0n);
    const start = async () => sessionOf((await createTopUp({ ctx: { userId: user.id }, input: { amountMicros: 5_000_000n }, origin: "http://localhost" })).url);
    const [stale, swept, fresh] = [await start(), await start(), await start()];
    const dayAgo = new Date(Date.now() - SANDBOX_CHECKOUT_TTL_MS - 60_000);
    await db.payment.updateMany({ where: { externalId: { in: [stale, swept] } }, data: { createdAt: dayAgo } });
    // Paid after its expiry, before the sweep saw it: refused, and marked.
    await expect(paySandboxCheckout({ ctx: { userId: user.id }, input: { sessionId: stale } })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("expired") });
    expect(await expireSandboxCheckouts()).toBeGreaterThanOrEqual(1);
    for (const sessionId of [stale, swept]) {
      expect(await db.payment.findUniqueOrThrow({ where: { externalId: sessionId } })).toMatchObject({ status: "CANCELED", failureReason: "the checkout expired before payment" });
    }
    expect((await db.payment.findUniqueOrThrow({ where: { externalId: fresh } })).status).toBe("PENDING");
    expect((await paySandboxCheckout({ ctx: { userId: user.id }, input: { sessionId: fresh } })).credited).toBe(true);
    expect((await accountState(account.id)).balance).toBe(5_000_000n);
  });

  it("validates the amount: $5 to $10,000 in whole cents", async () => {
    const { user } = await createFunded(0n);
    const top = (amountMicros: bigint) => createTopUp({ ctx: { userId: user.id }, input: { amountMicros }, origin: "http://localhost" });
    await expect(top(4_990_000n)).rejects.toMatchObject({ code: "invalid_request", message: "The smallest top-up is $5.00." });
    await expect(top(10_000_010_000n)).rejects.toMatchObject({ code: "invalid_request" });
    await expect(top(5_000_001n)).rejects.toMatchObject({ code: "invalid_request", message: "Use whole cents." });
    await expect(top(10_000_000_000n)).resolves.toMatchObject({ sandbox: true });
  });
});
