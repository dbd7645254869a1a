// The operators' console, proven against a real PostgreSQL: only admins get in (role re-read from the
// database), money moves with its audit row in one transaction, prices change for new requests only,
// a disabled key is refused, a code credits once however many redeem it at the same time.
import { afterEach, describe, expect, it } from "vitest";
import { POST as chat } from "@/app/v1/chat/completions/route";
import { createCodes } from "@/lib/admin/create-codes";
import { getCustomer } from "@/lib/admin/get-customer";
import { getHealth } from "@/lib/admin/get-health";
import { POST as submitVideo } from "@/app/v1/videos/route";
import { getModel } from "@/lib/admin/get-model";
import { listCatalog } from "@/lib/admin/list-catalog";
import { listCodeBatches } from "@/lib/admin/list-code-batches";
import { releaseHold } from "@/lib/admin/release-hold";
import { runLedgerCheck } from "@/lib/admin/run-ledger-check";
import { saveModel } from "@/lib/admin/save-model";
import { saveProvider } from "@/lib/admin/save-provider";
import { findModel } from "@/lib/gateway/models";
import { searchCustomers } from "@/lib/admin/search-customers";
import { setKeyDisabled } from "@/lib/admin/set-key-disabled";
import { setUserDisabled } from "@/lib/admin/set-user-disabled";
import { listAudit, listAuditActions } from "@/lib/audit/list-audit";
import { signUp } from "@/lib/auth/sign-up";
import { adjustBalance } from "@/lib/billing/adjust-balance";
import { checkLedger } from "@/lib/billing/check-ledger";
import { reserve } from "@/lib/billing/holds";
import { redeemCode } from "@/lib/billing/redeem-code";
import { refundTopUp } from "@/lib/billing/refund-top-up";
import { creditTopUp } from "@/lib/billing/top-ups";
import { db } from "@/lib/db";
import { createFunded } from "@/scripts/test/fixtures";

let n = 0;
async function makeUser(role: "USER" | "ADMIN") {
  const user = await signUp({ input: { email: `${role.toLowerCase()}-${Date.now()}-${n++}@example.test`, password: "correct horse battery" }, role });
  return { userId: user.id, role, email: user.email };
}

async function ledgerCount(userId: string) {
  return db.ledgerEntry.count({ where: { account: { userId } } });
}

/** Makes every audit insert fail until the returned function is called. */
async function breakAuditInserts() {
  await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_audit_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit insert failed (test)'; END; $$`);
  await db.$executeRawUnsafe(`CREATE TRIGGER test_audit_fail BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_audit_fail()`);
  return () => db.$executeRawUnsafe(`DROP TRIGGER test_audit_fail ON audit_events`);
}

function chatRequest(key: string, model: string) {
  return chat(
    new Request("http://localhost/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Price check, please." }], max_tokens: 50 }),
    }),
  );
}

afterEach(async () => {
  const result = await checkLedger();
  expect(result.violations).toEqual([]);
});

describe("admin access", () => {
  it("refuses every admin verb to a non-admin, and to an admin demoted a moment ago", async () => {
    const user = await makeUser("USER");
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(5_000_000n);
    const calls = (ctx: { userId: string }) => [
      () => listCatalog({ ctx }),
      () => getModel({ ctx, input: { id: "sandbox/chat" } }),
      () => saveProvider({ ctx, create: true, input: { id: "x", name: "x", kind: "SANDBOX", baseUrl: null, apiKeyEnv: null, enabled: true } }),
      () => saveModel({ ctx, create: false, input: { id: "sandbox/chat", type: "CHAT", providerId: "sandbox", upstreamModel: "sandbox-chat", displayName: "x", inputPerMtokMicros: 1n, outputPerMtokMicros: 1n, perImageMicros: null, perTaskMicros: null, contextWindow: null, maxOutputTokens: null, enabled: true } }),
      () => searchCustomers({ ctx, input: { q: "" } }),
      () => getCustomer({ ctx, input: { id: customer.user.id } }),
      () => adjustBalance({ ctx, input: { userId: customer.user.id, amountMicros: 1_000_000n, reason: "sneaky" } }),
      () => refundTopUp({ ctx, input: { paymentId: "00000000-0000-4000-8000-000000000000", reason: "sneaky" } }),
      () => setUserDisabled({ ctx, input: { userId: customer.user.id, disabled: true } }),
      () => setKeyDisabled({ ctx, input: { keyId: customer.keyId, disabled: true } }),
      () => releaseHold({ ctx, input: { holdId: "00000000-0000-4000-8000-000000000000" } }),
      () => listAudit({ ctx, input: {} }),
      () => listAuditActions({ ctx }),
      () => getHealth({ ctx }),
      () => runLedgerCheck({ ctx }),
      () => createCodes({ ctx, input: { amountMicros: 1_000_000n, count: 1, expiresAt: new Date(Date.now() + 86_400_000) } }),
      () => listCodeBatches({ ctx }),
    ];
    for (const call of calls(user)) await expect(call()).rejects.toMatchObject({ code: "not_found" });

    await expect(listCatalog({ ctx: admin })).resolves.toBeTruthy();
    await db.user.update({ where: { id: admin.userId }, data: { role: "USER" } });
    // The session still says ADMIN; the database does not.
    for (const call of calls({ ...admin, role: "ADMIN" } as { userId: string })) await expect(call()).rejects.toMatchObject({ code: "not_found" });
    expect(await ledgerCount(customer.user.id)).toBe(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: customer.user.id } })).disabledAt).toBeNull();
  });
});

describe("adjustments and refunds", () => {
  it("writes the ledger entry and the audit row together, or neither", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(2_000_000n);
    const before = await ledgerCount(customer.user.id);

    const entry = await adjustBalance({ ctx: admin, input: { userId: customer.user.id, amountMicros: 3_000_000n, reason: "goodwill credit" } });
    expect(entry.balanceAfterMicros).toBe(5_000_000n);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "balance.credited", targetId: customer.user.id } });
    expect(audit.actorId).toBe(admin.userId);
    expect(audit.actorLabel).toBe(admin.email);
    expect(await ledgerCount(customer.user.id)).toBe(before + 1);

    const restore = await breakAuditInserts();
    try {
      await expect(adjustBalance({ ctx: admin, input: { userId: customer.user.id, amountMicros: 1_000_000n, reason: "will roll back" } })).rejects.toThrow(/audit insert failed/);
    } finally {
      await restore();
    }
    expect(await ledgerCount(customer.user.id)).toBe(before + 1);
    expect((await db.account.findUniqueOrThrow({ where: { id: customer.account.id } })).balanceMicros).toBe(5_000_000n);
  });

  it("refuses a debit that would take the available balance below zero, and applies a double-submitted form once", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(2_000_000n);
    await expect(adjustBalance({ ctx: admin, input: { userId: customer.user.id, amountMicros: -2_000_001n, reason: "too much" } })).rejects.toMatchObject({ code: "insufficient_balance" });
    const input = { userId: customer.user.id, amountMicros: -500_000n, reason: "chargeback fee", idempotencyKey: "form-render-12345678" };
    const [a, b] = await Promise.all([adjustBalance({ ctx: admin, input }), adjustBalance({ ctx: admin, input })]);
    expect([a.applied, b.applied].sort()).toEqual([false, true]);
    expect((await db.account.findUniqueOrThrow({ where: { id: customer.account.id } })).balanceMicros).toBe(1_500_000n);
    expect(await db.auditEvent.count({ where: { action: "balance.debited", targetId: customer.user.id } })).toBe(1);
  });

  it("refunds a sandbox top-up once, only what is still available, and records the shortfall", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(0n);
    await creditTopUp({ provider: "SANDBOX", externalId: "cs_sandbox_refund_1", userId: customer.user.id, amountMicros: 10_000_000n });
    const payment = await db.payment.findUniqueOrThrow({ where: { externalId: "cs_sandbox_refund_1" } });
    // $4 already spent (an operator debit stands in for usage).
    await adjustBalance({ ctx: admin, input: { userId: customer.user.id, amountMicros: -4_000_000n, reason: "spent" } });

    const restore = await breakAuditInserts();
    try {
      await expect(refundTopUp({ ctx: admin, input: { paymentId: payment.id, reason: "customer asked" } })).rejects.toThrow(/audit insert failed/);
    } finally {
      await restore();
    }
    expect(await db.ledgerEntry.count({ where: { reference: "refund:cs_sandbox_refund_1" } })).toBe(0);
    expect((await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe("SUCCEEDED");

    const result = await refundTopUp({ ctx: admin, input: { paymentId: payment.id, reason: "customer asked" } });
    expect(result).toMatchObject({ refundedMicros: 6_000_000n, shortfallMicros: 4_000_000n, balanceAfterMicros: 0n });
    const entry = await db.ledgerEntry.findUniqueOrThrow({ where: { reference: "refund:cs_sandbox_refund_1" } });
    expect(entry).toMatchObject({ kind: "REFUND", amountMicros: -6_000_000n });
    expect(entry.description).toMatch(/\$4\.00 was already spent/);
    expect((await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe("REFUNDED");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "payment.refunded", targetId: payment.id } });
    expect(audit.after).toMatchObject({ refundedMicros: "6000000", shortfallMicros: "4000000" });

    await expect(refundTopUp({ ctx: admin, input: { paymentId: payment.id, reason: "again" } })).rejects.toMatchObject({ code: "conflict" });
  });

  it("sends Stripe refunds to Stripe's dashboard", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(0n);
    await creditTopUp({ provider: "STRIPE", externalId: "cs_test_stripe_1", userId: customer.user.id, amountMicros: 5_000_000n });
    const payment = await db.payment.findUniqueOrThrow({ where: { externalId: "cs_test_stripe_1" } });
    await expect(refundTopUp({ ctx: admin, input: { paymentId: payment.id, reason: "x x x" } })).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/Stripe's dashboard/) });
  });

  it("keeps the audit log append-only", async () => {
    const admin = await makeUser("ADMIN");
    await runLedgerCheck({ ctx: admin });
    await expect(db.$executeRawUnsafe(`UPDATE audit_events SET action = 'x.y'`)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    expect(await db.ledgerCheck.count()).toBeGreaterThan(0);
  });
});

describe("prices", () => {
  it("charges new requests the new price and leaves past usage as it was, with a price history", async () => {
    const admin = await makeUser("ADMIN");
    const base = { type: "CHAT" as const, providerId: "sandbox", upstreamModel: "sandbox-chat", displayName: "Priced", perImageMicros: null, perTaskMicros: null, contextWindow: 128000, maxOutputTokens: 4096, enabled: true };
    await saveModel({ ctx: admin, create: true, input: { ...base, id: "sandbox/chat-priced", inputPerMtokMicros: 500_000n, outputPerMtokMicros: 1_500_000n } });
    const customer = await createFunded(10_000_000n);

    const first = await chatRequest(customer.key, "sandbox/chat-priced");
    expect(first.status).toBe(200);
    const [old] = await db.usageRecord.findMany({ where: { accountId: customer.account.id } });
    expect(old!.inputPerMtokMicros).toBe(500_000n);
    const oldCopy = { ...old! };

    await saveModel({ ctx: admin, create: false, input: { ...base, id: "sandbox/chat-priced", inputPerMtokMicros: 5_000_000n, outputPerMtokMicros: 15_000_000n } });
    const second = await chatRequest(customer.key, "sandbox/chat-priced");
    expect(second.status).toBe(200);
    const body = (await second.json()) as { usage: { prompt_tokens: number; completion_tokens: number; cost_micros: number } };
    const expected = (BigInt(body.usage.prompt_tokens) * 5_000_000n + BigInt(body.usage.completion_tokens) * 15_000_000n + 999_999n) / 1_000_000n;
    expect(BigInt(body.usage.cost_micros)).toBe(expected);

    const records = await db.usageRecord.findMany({ where: { accountId: customer.account.id }, orderBy: { createdAt: "asc" } });
    expect(records).toHaveLength(2);
    expect(records.find((r) => r.id === old!.id)).toEqual(oldCopy);
    expect(records.find((r) => r.id !== old!.id)!.inputPerMtokMicros).toBe(5_000_000n);

    const model = await getModel({ ctx: admin, input: { id: "sandbox/chat-priced" } });
    expect(model.prices.map((p) => p.inputPerMtokMicros)).toEqual([5_000_000n, 500_000n]);
    expect(model.prices[0]!.changedBy).toBe(admin.email);
    expect(await db.auditEvent.count({ where: { action: "model.price_changed", targetId: "sandbox/chat-priced" } })).toBe(1);
  });
});

describe("fallback providers", () => {
  it("saves a model's fallback, refusing half a fallback and one whose provider cannot serve the type", async () => {
    const admin = await makeUser("ADMIN");
    const base = { type: "CHAT" as const, providerId: "sandbox", upstreamModel: "sandbox-chat", displayName: "With fallback", inputPerMtokMicros: 1n, outputPerMtokMicros: 1n, perImageMicros: null, perTaskMicros: null, contextWindow: null, maxOutputTokens: null, enabled: true };
    await expect(saveModel({ ctx: admin, create: true, input: { ...base, id: "x/half", fallbackProviderId: "sandbox" } })).rejects.toMatchObject({ param: "fallbackUpstreamModel" });
    // A price the type is never charged by is refused rather than shown to customers.
    await expect(saveModel({ ctx: admin, create: true, input: { ...base, id: "x/priced", perImageMicros: 40_000n } })).rejects.toMatchObject({
      param: "perImageMicros",
      message: expect.stringContaining("not charged per image"),
    });
    await expect(saveModel({ ctx: admin, create: true, input: { ...base, id: "x/nowhere", fallbackProviderId: "no-such", fallbackUpstreamModel: "m" } })).rejects.toMatchObject({ param: "fallbackProviderId" });
    await saveProvider({ ctx: admin, create: true, input: { id: "claude-direct", name: "Claude", kind: "ANTHROPIC", baseUrl: "http://127.0.0.1:9", apiKeyEnv: null, enabled: true } });
    await expect(
      saveModel({ ctx: admin, create: true, input: { ...base, id: "x/embed", type: "EMBEDDING", outputPerMtokMicros: null, fallbackProviderId: "claude-direct", fallbackUpstreamModel: "claude" } }),
    ).rejects.toMatchObject({ param: "fallbackProviderId" });
    const saved = await saveModel({ ctx: admin, create: true, input: { ...base, id: "x/chat", fallbackProviderId: "claude-direct", fallbackUpstreamModel: "claude-3" } });
    expect(saved).toMatchObject({ fallbackProviderId: "claude-direct", fallbackUpstreamModel: "claude-3" });
    expect((await findModel("x/chat"))!.fallback).toMatchObject({ providerId: "claude-direct", providerKind: "ANTHROPIC", upstreamModel: "claude-3" });
  });
});

describe("disabling", () => {
  it("refuses a disabled key with 401 and accepts it again once re-enabled", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(5_000_000n);
    expect((await chatRequest(customer.key, "sandbox/chat")).status).toBe(200);
    await setKeyDisabled({ ctx: admin, input: { keyId: customer.keyId, disabled: true } });
    const refused = await chatRequest(customer.key, "sandbox/chat");
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe("This API key is disabled.");
    await setKeyDisabled({ ctx: admin, input: { keyId: customer.keyId, disabled: false } });
    expect((await chatRequest(customer.key, "sandbox/chat")).status).toBe(200);
    expect(await db.auditEvent.count({ where: { targetId: customer.keyId, action: { in: ["key.disabled", "key.enabled"] } } })).toBe(2);
  });

  it("disables an account and releases a stuck hold, each audited", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(5_000_000n);
    const hold = await reserve({ accountId: customer.account.id, apiKeyId: customer.keyId, requestId: "stuck-1", maxMicros: 1_000_000n, minMicros: 1_000_000n });
    expect(hold.ok).toBe(true);
    const submitted = await submitVideo(new Request("http://localhost/v1/videos", {
      method: "POST",
      headers: { authorization: `Bearer ${customer.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "sandbox/video", prompt: "a lighthouse at dusk" }),
    }));
    expect(submitted.status).toBeLessThan(300);
    const health = await getHealth({ ctx: admin });
    expect(health.activeHolds).toBeGreaterThanOrEqual(2);
    expect((health.tasks.QUEUED ?? 0) + (health.tasks.RUNNING ?? 0)).toBeGreaterThanOrEqual(1);
    const { released } = await releaseHold({ ctx: admin, input: { holdId: (hold as { holdId: string }).holdId } });
    expect(released).toBe(true);
    await setUserDisabled({ ctx: admin, input: { userId: customer.user.id, disabled: true } });
    expect((await chatRequest(customer.key, "sandbox/chat")).status).toBe(401);
    await expect(setUserDisabled({ ctx: admin, input: { userId: admin.userId, disabled: true } })).rejects.toMatchObject({ code: "invalid_request" });
    const actions = (await listAudit({ ctx: admin, input: { actor: admin.email } })).events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["hold.released", "user.disabled"]));
  });
});

describe("redemption codes", () => {
  it("credits a code once when 20 requests redeem it at the same time", async () => {
    const admin = await makeUser("ADMIN");
    const batch = await createCodes({ ctx: admin, input: { amountMicros: 7_000_000n, count: 2, expiresAt: new Date(Date.now() + 86_400_000) } });
    const stored = await db.redemptionCode.findMany({ where: { batchId: batch.batchId } });
    expect(stored.map((s) => s.hash)).not.toContain(batch.codes[0]);
    expect(stored.every((s) => batch.codes.some((c) => c.startsWith(s.prefix)))).toBe(true);

    const users = await Promise.all(Array.from({ length: 20 }, () => createFunded(0n)));
    const results = await Promise.allSettled(users.map((u) => redeemCode({ ctx: { userId: u.user.id }, input: { code: batch.codes[0]!.toLowerCase() } })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "conflict" });
    expect(await db.ledgerEntry.count({ where: { reference: { startsWith: "redeem:" } } })).toBe(1);
    const credited = await db.account.aggregate({ where: { userId: { in: users.map((u) => u.user.id) } }, _sum: { balanceMicros: true } });
    expect(credited._sum.balanceMicros).toBe(7_000_000n);
  });

  it("refuses an expired or unknown code, and limits attempts per user", async () => {
    const admin = await makeUser("ADMIN");
    const customer = await createFunded(0n);
    const batch = await createCodes({ ctx: admin, input: { amountMicros: 1_000_000n, count: 1, expiresAt: new Date(Date.now() + 86_400_000) } });
    await db.$executeRawUnsafe(`UPDATE redemption_codes SET expires_at = now() - interval '1 minute' WHERE batch_id = '${batch.batchId}'`);
    await expect(redeemCode({ ctx: { userId: customer.user.id }, input: { code: batch.codes[0]! } })).rejects.toMatchObject({ code: "conflict", message: "This code has expired." });
    await expect(redeemCode({ ctx: { userId: customer.user.id }, input: { code: "MW-AAAA-BBBB-CCCC-DDDD" } })).rejects.toMatchObject({ code: "invalid_request" });
    const attempts = [];
    for (let i = 0; i < 10; i++) attempts.push(await redeemCode({ ctx: { userId: customer.user.id }, input: { code: "MW-AAAA-BBBB-CCCC-DDDD" } }).catch((e: { code: string }) => e.code));
    expect(attempts.at(-1)).toBe("rate_limited");
    expect(await ledgerCount(customer.user.id)).toBe(0);
  });
});
