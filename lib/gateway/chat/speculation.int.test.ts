// The provider call may start while the hold is placed (lib/gateway/speculation). These tests hold
// the account's row lock from another transaction, so the hold cannot commit, and watch what the
// mock provider and the client see meanwhile: the call may go out, but nothing comes back to the
// client before the hold exists, and a refused hold charges nothing and stops early starts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@/bench/mock-upstream";
import { checkLedger } from "@/lib/billing/check-ledger";
import { postEntryOnce } from "@/lib/billing/ledger";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { gatewayFetch } from "@/scripts/test/gateway-fetch";
import { invalidateModels } from "../models";
import { resetSpeculation } from "../speculation";

let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream({ chunks: 4 });
  await db.provider.create({ data: { id: "spec-mock", name: "Speculation mock", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  await db.model.create({
    data: { id: "spec/chat", type: "CHAT", providerId: "spec-mock", upstreamModel: "mock", displayName: "spec", inputPerMtokMicros: 1_000_000n, outputPerMtokMicros: 2_000_000n, maxOutputTokens: 1000 },
  });
  invalidateModels();
});
afterAll(() => mock.close());
beforeEach(() => resetSpeculation());

const chat = (key: string, body: Record<string, unknown> = {}) =>
  gatewayFetch("http://localhost/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "spec/chat", messages: [{ role: "user", content: "hello" }], ...body }),
  });

/** Holds the account's row lock until `unlock()` — a hold on this account waits for it. */
async function lockAccount(accountId: string) {
  let unlock!: () => void;
  const released = new Promise<void>((resolve) => (unlock = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM accounts WHERE id = ${accountId}::uuid FOR UPDATE`;
      locked();
      await released;
    },
    { timeout: 20_000 },
  );
  await isLocked;
  return async () => {
    unlock();
    await done;
  };
}

const upstreamCalls = () => mock.requests.filter((r) => r.body.model === "mock").length;

async function waitFor(condition: () => boolean, ms = 5000) {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settledWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe("starting the provider call while the hold is placed", () => {
  for (const stream of [false, true]) {
    it(`${stream ? "streams" : "answers"} only after the hold exists, and charges once`, async () => {
      const { key, account } = await createFunded(10_000_000n);
      for (let i = 0; i < 2; i++) {
        const warm = await chat(key, { stream }); // this process now knows the balance is ample
        expect(warm.status).toBe(200);
        await warm.text();
      }
      const before = upstreamCalls();

      const unlock = await lockAccount(account.id);
      const pending = chat(key, { stream });
      await waitFor(() => upstreamCalls() === before + 1); // the provider call went out…
      expect(await settledWithin(pending, 300)).toBe(false); // …but the client hears nothing while the hold waits
      await unlock();

      const res = await pending;
      expect(res.status).toBe(200);
      await res.text();
      expect(await db.usageRecord.count({ where: { accountId: account.id, status: "SUCCEEDED", costMicros: { gt: 0 } } })).toBe(3);
      expect((await accountState(account.id)).reserved).toBe(0n);
      expect((await checkLedger()).ok).toBe(true);
    });
  }

  it("a refused hold answers 402, charges nothing, and the key's next calls wait for their hold", async () => {
    const { key, account } = await createFunded(10_000_000n);
    expect((await chat(key)).status).toBe(200);
    const { balance } = await accountState(account.id);
    // Another instance spends the balance: this process still believes it is ample.
    await postEntryOnce({ accountId: account.id, kind: "ADJUSTMENT", amountMicros: -balance, reference: `drain:${account.id}`, description: "drained" });

    const refused = await chat(key);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("insufficient_balance");

    await new Promise((r) => setTimeout(r, 200)); // the refused request's aborted early call may still reach the mock
    const before = upstreamCalls();
    const unlock = await lockAccount(account.id);
    const pending = chat(key);
    await new Promise((r) => setTimeout(r, 300));
    expect(upstreamCalls()).toBe(before); // no early start after a refusal
    await unlock();
    expect((await pending).status).toBe(402);
    expect(await db.usageRecord.count({ where: { accountId: account.id, costMicros: { gt: 0 } } })).toBe(1);
    expect(await accountState(account.id)).toEqual({ balance: 0n, reserved: 0n, available: 0n });
    expect((await checkLedger()).ok).toBe(true);
  });

  it("never starts early for a key with a spend limit, or for an account this process has not seen", async () => {
    const limited = await createFunded(10_000_000n, { spendLimitMicros: 5_000_000n });
    expect((await chat(limited.key)).status).toBe(200);
    const fresh = await createFunded(10_000_000n);
    for (const c of [limited, fresh]) {
      const before = upstreamCalls();
      const unlock = await lockAccount(c.account.id);
      const pending = chat(c.key);
      await new Promise((r) => setTimeout(r, 300));
      expect(upstreamCalls()).toBe(before);
      await unlock();
      expect((await pending).status).toBe(200);
      expect(upstreamCalls()).toBe(before + 1);
    }
  });
});
