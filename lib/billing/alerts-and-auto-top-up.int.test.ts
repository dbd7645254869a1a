// Low-balance alerts (once per crossing, by mail to the local outbox) and auto top-up on the sandbox
// "card", without Stripe.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";

const OUTBOX = vi.hoisted(() => {
  const dir = `/tmp/meterway-outbox-test-${process.pid}-${Date.now()}`;
  process.env.DATA_DIR = dir;
  return { dir: `${dir}/outbox` };
});

import { db } from "@/lib/db";
import { getBillingSettings, updateAutoTopUp, updateLowBalanceAlert } from "@/lib/payments/billing-settings";
import { createTopUp } from "@/lib/payments/create-top-up";
import { paySandboxCheckout } from "@/lib/payments/sandbox-checkout";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { checkLedger } from "./check-ledger";
import { reserve, settle } from "./holds";

const usage = { modelId: "sandbox/chat", endpoint: "x", status: "SUCCEEDED" as const, inputTokens: 1, outputTokens: 1, stream: false, latencyMs: 1 };
let n = 0;

async function spend(accountId: string, keyId: string, micros: bigint) {
  const requestId = `req_alert_${Date.now()}_${n++}`;
  const hold = await reserve({ accountId, apiKeyId: keyId, requestId, maxMicros: micros, minMicros: micros });
  if (!hold.ok) throw new Error("expected a hold");
  const result = await settle({ holdId: hold.holdId, requestId, costMicros: micros, usage, description: "spend" });
  await result.followUp;
}

async function mailsTo(email: string) {
  const files = await readdir(OUTBOX.dir).catch(() => [] as string[]);
  const mine = files.filter((f) => f.includes(email));
  return Promise.all(mine.map((f) => readFile(path.join(OUTBOX.dir, f), "utf8")));
}

describe("low-balance alerts", () => {
  it("mails once per crossing and shows the banner while below; a top-up re-arms it", async () => {
    const { user, email, account, keyId } = await createFunded(10_000_000n);
    await updateLowBalanceAlert({ ctx: { userId: user.id }, input: { thresholdMicros: 5_000_000n } });
    await spend(account.id, keyId, 4_000_000n); // $6 left: above
    expect(await mailsTo(email)).toHaveLength(0);
    await spend(account.id, keyId, 2_000_000n); // $4: crossed
    await spend(account.id, keyId, 1_000_000n); // $3: still below, no second mail
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain("below $5.00");
    expect((await getBillingSettings({ ctx: { userId: user.id } })).lowBalance).toBe(true);

    const { url } = await createTopUp({ ctx: { userId: user.id }, input: { amountMicros: 10_000_000n }, origin: "http://x" });
    await paySandboxCheckout({ ctx: { userId: user.id }, input: { sessionId: url.split("/").at(-1)! } });
    expect((await getBillingSettings({ ctx: { userId: user.id } })).lowBalance).toBe(false);
    await spend(account.id, keyId, 9_000_000n); // $4 again: a new crossing
    expect(await mailsTo(email)).toHaveLength(2);
  });
});

describe("auto top-up on the sandbox card", () => {
  it("needs a saved card, then tops up once when a settlement crosses the threshold", async () => {
    const { user, account, keyId } = await createFunded(0n);
    const settings = { enabled: true, thresholdMicros: 5_000_000n, amountMicros: 20_000_000n, monthlyCapMicros: 40_000_000n };
    await expect(updateAutoTopUp({ ctx: { userId: user.id }, input: settings })).rejects.toMatchObject({ code: "invalid_request" });

    const { url } = await createTopUp({ ctx: { userId: user.id }, input: { amountMicros: 10_000_000n }, origin: "http://x" });
    await paySandboxCheckout({ ctx: { userId: user.id }, input: { sessionId: url.split("/").at(-1)!, saveCard: true } });
    await updateAutoTopUp({ ctx: { userId: user.id }, input: settings });

    await spend(account.id, keyId, 6_000_000n); // $4 < $5 → +$20
    expect((await accountState(account.id)).balance).toBe(24_000_000n);
    await spend(account.id, keyId, 20_000_000n); // $4 again → +$20 (cap $40 reached)
    await spend(account.id, keyId, 1_000_000n); // still below, but the monthly cap is spent
    expect((await accountState(account.id)).balance).toBe(23_000_000n);
    const autos = await db.payment.findMany({ where: { userId: user.id, kind: "AUTO_TOPUP" } });
    expect(autos.map((p) => p.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("validates its settings in words", async () => {
    const { user } = await createFunded(0n);
    await expect(
      updateAutoTopUp({ ctx: { userId: user.id }, input: { enabled: false, thresholdMicros: 1_000_000n, amountMicros: 1_000_000n, monthlyCapMicros: null } }),
    ).rejects.toMatchObject({ message: "The smallest top-up is $5.00." });
    await expect(
      updateAutoTopUp({ ctx: { userId: user.id }, input: { enabled: false, thresholdMicros: 1_000_000n, amountMicros: 10_000_000n, monthlyCapMicros: 5_000_000n } }),
    ).rejects.toMatchObject({ message: "The monthly cap must be at least one top-up" });
  });
});
