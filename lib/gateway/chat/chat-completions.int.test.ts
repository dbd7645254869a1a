import { describe, expect, it } from "vitest";
import { GET as chatGet, POST as chat } from "@/app/v1/chat/completions/route";
import { GET as balanceRoute } from "@/app/v1/balance/route";
import { DELETE as modelsDelete, GET as modelsRoute } from "@/app/v1/models/route";
import { checkLedger } from "@/lib/billing/check-ledger";
import { textCost } from "@/lib/billing/pricing";
import { db } from "@/lib/db";
import { revokeKey } from "@/lib/keys/revoke-key";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { countChatPromptTokens, countChatTokens } from "../tokens";

const PRICE = { inputPerMtokMicros: 500_000n, outputPerMtokMicros: 1_500_000n };
const messages = [{ role: "user", content: "Say hello to the sandbox." }];

function post(key: string | null, body: unknown, init: { raw?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
  return chat(
    new Request("http://localhost/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers },
      body: init.raw ?? JSON.stringify(body),
      signal: init.signal,
    }),
  );
}

async function readSse(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .filter((data) => data !== "[DONE]")
    .map((data) => JSON.parse(data));
}

async function chargedRecords(accountId: string) {
  return db.usageRecord.count({ where: { accountId, costMicros: { gt: 0 } } });
}

describe("POST /v1/chat/completions", () => {
  it("charges exactly the priced cost of a completion and reports it", async () => {
    const { key, account } = await createFunded(20_000_000n);
    const res = await post(key, { model: "sandbox/chat", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = (await res.json()) as { choices: { message: { content: string } }[]; usage: Record<string, number> };
    expect(body.choices[0]!.message.content).toContain("Hello from the Meterway sandbox");
    expect(body.usage.prompt_tokens).toBe(countChatTokens(messages));
    const expected = textCost(PRICE, body.usage.prompt_tokens!, body.usage.completion_tokens!);
    expect(BigInt(body.usage.cost_micros!)).toBe(expected);
    expect(body.usage.cost).toBe(Number(expected) / 1e6);
    expect(res.headers.get("x-request-cost-micros")).toBe(expected.toString());
    expect(await accountState(account.id)).toEqual({ balance: 20_000_000n - expected, reserved: 0n, available: 20_000_000n - expected });
    expect(res.headers.get("x-balance-remaining-micros")).toBe((20_000_000n - expected).toString());
    expect((await checkLedger()).ok).toBe(true);
  });

  it("streams chunks, puts the cost on the usage chunk when asked, and charges once", async () => {
    const { key, account } = await createFunded(20_000_000n);
    const res = await post(key, { model: "sandbox/chat", messages, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("cache-control")).toContain("no-transform");
    const events = (await readSse(res)) as { choices: { delta: { content?: string } }[]; usage?: Record<string, number> }[];
    expect(events.length).toBeGreaterThan(3);
    const last = events.at(-1)!;
    expect(last.choices).toEqual([]);
    const expected = textCost(PRICE, last.usage!.prompt_tokens!, last.usage!.completion_tokens!);
    expect(BigInt(last.usage!.cost_micros!)).toBe(expected);
    expect((await accountState(account.id)).balance).toBe(20_000_000n - expected);
    expect(await db.usageRecord.count({ where: { accountId: account.id, stream: true, status: "SUCCEEDED" } })).toBe(1);
  });

  it("leaves out the usage chunk when the client did not ask for it, but still charges", async () => {
    const { key, account } = await createFunded(20_000_000n);
    const events = (await readSse(await post(key, { model: "sandbox/chat", messages, stream: true }))) as { usage?: unknown }[];
    expect(events.every((e) => e.usage === undefined)).toBe(true);
    expect((await accountState(account.id)).balance).toBeLessThan(20_000_000n);
    expect(await chargedRecords(account.id)).toBe(1);
  });

  it("refuses missing, unknown and revoked keys with 401, charging nothing", async () => {
    const { key, keyId, user, account } = await createFunded(1_000_000n);
    expect((await post(null, { model: "sandbox/chat", messages })).status).toBe(401);
    const unknown = await post(`sk-test-${"x".repeat(40)}`, { model: "sandbox/chat", messages });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: "invalid_api_key", type: "authentication_error" } });
    expect((await post(key, { model: "sandbox/chat", messages })).status).toBe(200); // cached as valid
    await revokeKey({ ctx: { userId: user.id }, input: { id: keyId } });
    const revoked = await post(key, { model: "sandbox/chat", messages });
    expect(revoked.status).toBe(401);
    expect(await chargedRecords(account.id)).toBe(1);
  });

  it("accepts the key as x-api-key too", async () => {
    const { key } = await createFunded(1_000_000n);
    const res = await chat(new Request("http://localhost/v1/chat/completions", { method: "POST", headers: { "x-api-key": key }, body: JSON.stringify({ model: "sandbox/chat", messages }) }));
    expect(res.status).toBe(200);
  });

  it("answers bad input with a clear 400/404/413 in OpenAI's shape and charges nothing", async () => {
    const { key, account } = await createFunded(1_000_000n);
    const malformed = await post(key, null, { raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringContaining("JSON") } });
    const wrongType = await post(key, { model: "sandbox/chat", messages: "hello" });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { param: string } }).error.param).toBe("messages");
    const unknownModel = await post(key, { model: "nope/model", messages });
    expect(unknownModel.status).toBe(404);
    expect(await unknownModel.json()).toMatchObject({ error: { code: "model_not_found", param: "model" } });
    const huge = await post(key, { model: "sandbox/chat", messages: [{ role: "user", content: "x".repeat(3 * 1024 * 1024) }] });
    expect(huge.status).toBe(413);
    expect((await post(key, null, { raw: "" })).status).toBe(400);
    // A method the endpoint does not serve: 405 in OpenAI's shape, saying which ones it does.
    for (const [handler, method, allow] of [[chatGet, "GET", "POST"], [modelsDelete, "DELETE", "GET"]] as const) {
      const res = await handler(new Request(`http://localhost/v1/x`, { method, headers: { authorization: `Bearer ${key}` } }));
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      expect(await res.json()).toMatchObject({ error: { code: "method_not_allowed", type: "invalid_request_error", message: expect.stringContaining(`Use ${allow}`) } });
    }
    expect(await accountState(account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    expect(await db.usageRecord.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("refuses with 402 insufficient_balance when the balance cannot pay, and 403 outside the allowlist", async () => {
    const poor = await createFunded(0n);
    const res = await post(poor.key, { model: "sandbox/chat", messages });
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ error: { code: "insufficient_balance", limit_source: "balance" } });

    const limited = await createFunded(10_000_000n, { spendLimitMicros: 100n });
    const overLimit = await post(limited.key, { model: "sandbox/chat", messages, max_tokens: 1000 });
    expect(overLimit.status).toBe(402);
    expect(await overLimit.json()).toMatchObject({ error: { limit_source: "key_limit" } });

    const allow = await createFunded(10_000_000n, { allowedModels: ["sandbox/chat"] });
    expect((await post(allow.key, { model: "sandbox/chat", messages })).status).toBe(200);
    await db.model.create({ data: { id: "sandbox/other", type: "CHAT", providerId: "sandbox", upstreamModel: "x", displayName: "Other", inputPerMtokMicros: 1n, outputPerMtokMicros: 1n } });
    const { invalidateModels } = await import("../models");
    invalidateModels();
    const forbidden = await post(allow.key, { model: "sandbox/other", messages });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: "model_not_allowed" } });
  });

  it("caps the output at what the balance can pay for when max_tokens is absent", async () => {
    const prompt = countChatTokens(messages);
    const budget = textCost(PRICE, prompt, 10); // room for 10 output tokens
    const { key, account } = await createFunded(budget);
    const res = await post(key, { model: "sandbox/chat", messages });
    expect(res.status).toBe(200);
    // The cap counts the prompt exactly (on the request's size, tokens.ts, not even one token would fit).
    expect(res.headers.get("x-max-tokens-capped")).toBe("10");
    const body = (await res.json()) as { choices: { finish_reason: string }[]; usage: { completion_tokens: number } };
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.usage.completion_tokens).toBe(10);
    const record = await db.usageRecord.findFirstOrThrow({ where: { accountId: account.id } });
    expect(record.note).toBe(`Output capped at ${res.headers.get("x-max-tokens-capped")} tokens by the balance`);
    const state = await accountState(account.id);
    expect(state.available).toBeGreaterThanOrEqual(0n);
    expect((await checkLedger()).ok).toBe(true);
  });

  it("holds a long prompt on the request's size, and counts it exactly only when that does not fit", async () => {
    const long = [{ role: "user", content: "Summarise the following. " + "The gateway meters every token it forwards. ".repeat(60) }];
    const exact = countChatTokens(long);
    const bound = Buffer.byteLength(JSON.stringify({ model: "sandbox/chat", messages: long, max_tokens: 5 }));
    expect(bound).toBeGreaterThan(3 * exact);
    // Room for the exact prompt and 10 output tokens, far short of the bound's prompt alone.
    const budget = textCost(PRICE, exact, 10);
    expect(textCost(PRICE, bound, 1)).toBeGreaterThan(budget);
    const { key, account } = await createFunded(budget);
    const res = await post(key, { model: "sandbox/chat", messages: long });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-max-tokens-capped")).toBe("10");
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number; cost_micros: number } };
    expect(body.usage).toMatchObject({ prompt_tokens: exact, completion_tokens: 10, cost_micros: Number(budget) });
    expect(await accountState(account.id)).toEqual({ balance: 0n, reserved: 0n, available: 0n });

    // With the balance to spare, the hold is the bound's and the charge the exact count's.
    const rich = await createFunded(20_000_000n);
    const paid = await post(rich.key, { model: "sandbox/chat", messages: long, max_tokens: 5 });
    expect(paid.status).toBe(200);
    const hold = await db.hold.findUniqueOrThrow({ where: { requestId: paid.headers.get("x-request-id")! } });
    expect(hold.amountMicros).toBe(textCost(PRICE, bound, 5));
    expect(((await paid.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(exact);
    expect(BigInt(paid.headers.get("x-request-cost-micros")!)).toBe(textCost(PRICE, exact, 5));
    expect((await checkLedger()).ok).toBe(true);
  });

  it("counts tool definitions and tool calls in the prompt, as providers do", async () => {
    const { key } = await createFunded(20_000_000n);
    const tools = [{ type: "function", function: { name: "weather", description: "The weather in a city, today and for the week ahead.", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const conversation = [
      ...messages,
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "Sunny, 21 °C." },
    ];
    const request = { model: "sandbox/chat", messages: conversation, tools };
    const res = await post(key, request);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.usage.prompt_tokens).toBe(countChatPromptTokens(request));
    expect(body.usage.prompt_tokens).toBeGreaterThan(countChatTokens(conversation) + 20);
    expect(res.headers.get("x-request-cost-micros")).toBe(textCost(PRICE, body.usage.prompt_tokens, body.usage.completion_tokens).toString());
  });

  it("counts text that spells a special token as plain text", async () => {
    const { key } = await createFunded(20_000_000n);
    const tricky = [{ role: "user", content: "What does <|endoftext|> mean to a tokenizer?" }];
    const res = await post(key, { model: "sandbox/chat", messages: tricky });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(countChatTokens(tricky));
  });

  it("refuses a prompt beyond the model's context window by its exact count, not its upper bound", async () => {
    await db.model.create({
      data: { id: "sandbox/window", type: "CHAT", providerId: "sandbox", upstreamModel: "sandbox-chat", displayName: "Small window", inputPerMtokMicros: 1n, outputPerMtokMicros: 1n, contextWindow: 60 },
    });
    const { invalidateModels } = await import("../models");
    invalidateModels();
    const { key } = await createFunded(20_000_000n);
    const fits = [{ role: "user", content: "word ".repeat(40) }];
    expect(Buffer.byteLength(JSON.stringify({ model: "sandbox/window", messages: fits, max_tokens: 10 })) + 10).toBeGreaterThan(60);
    expect(countChatTokens(fits) + 10).toBeLessThanOrEqual(60);
    expect((await post(key, { model: "sandbox/window", messages: fits, max_tokens: 10 })).status).toBe(200);
    const tooLong = [{ role: "user", content: "word ".repeat(60) }];
    const refused = await post(key, { model: "sandbox/window", messages: tooLong, max_tokens: 10 });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { code: "invalid_request", param: "messages", message: `The prompt (${countChatTokens(tooLong)} tokens) does not fit sandbox/window's context window of 60.` },
    });
  });

  it("charges nothing when the upstream fails before any output", async () => {
    const { key, account } = await createFunded(1_000_000n);
    const res = await post(key, { model: "sandbox/chat", messages: [{ role: "user", content: "[sandbox:error=500]" }] });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: "upstream_error" } });
    const streamed = await post(key, { model: "sandbox/chat", stream: true, messages: [{ role: "user", content: "[sandbox:error=503]" }] });
    expect(streamed.status).toBe(502);
    expect(await accountState(account.id)).toEqual({ balance: 1_000_000n, reserved: 0n, available: 1_000_000n });
    expect(await db.usageRecord.count({ where: { accountId: account.id, status: "FAILED" } })).toBe(2);
    expect((await checkLedger()).ok).toBe(true);
  });

  it("charges a stream the client abandons for the prompt and the tokens delivered", async () => {
    const { key, account } = await createFunded(1_000_000n);
    const res = await post(key, { model: "sandbox/chat", stream: true, messages: [{ role: "user", content: "slow please [sandbox:delay=30]" }] });
    const reader = res.body!.getReader();
    await reader.read(); // the role chunk
    await reader.read(); // some words
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 100));
    const record = await db.usageRecord.findFirstOrThrow({ where: { accountId: account.id } });
    expect(record.status).toBe("PARTIAL");
    expect(record.note).toBe("client_disconnected");
    expect(record.outputTokens).toBeGreaterThan(0);
    expect(record.costMicros).toBe(textCost(PRICE, record.inputTokens, record.outputTokens));
    expect((await accountState(account.id)).balance).toBe(1_000_000n - record.costMicros);
    expect((await checkLedger()).ok).toBe(true);
  });

  it("never overdraws under 200 concurrent requests: the rest get 402", async () => {
    const prompt = countChatTokens(messages);
    const { key, account } = await createFunded(textCost(PRICE, prompt, 64) * 30n); // pays for ~30
    const results = await Promise.all(
      Array.from({ length: 200 }, () => post(key, { model: "sandbox/chat", messages, max_tokens: 64 }).then(async (r) => ({ status: r.status, body: await r.json() }))),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 402);
    expect(ok).toBeGreaterThanOrEqual(30);
    expect(ok + refused.length).toBe(200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.body).toMatchObject({ error: { code: "insufficient_balance", limit_source: "balance" } });
    const state = await accountState(account.id);
    expect(state.available).toBeGreaterThanOrEqual(0n);
    expect(state.reserved).toBe(0n);
    const ledger = await checkLedger();
    expect(ledger.violations).toEqual([]);
  });
});

describe("GET /v1/models and /v1/balance", () => {
  it("lists usable models with pricing and reports the balance as API.md says", async () => {
    const { key, keyId } = await createFunded(12_345_678n, { spendLimitMicros: 5_000_000n });
    const auth = { headers: { authorization: `Bearer ${key}` } };
    const models = (await (await modelsRoute(new Request("http://localhost/v1/models", auth))).json()) as { data: Record<string, unknown>[] };
    expect(models.data).toContainEqual(
      expect.objectContaining({
        id: "sandbox/chat",
        object: "model",
        type: "chat",
        pricing: { input_per_mtok_micros: 500_000, output_per_mtok_micros: 1_500_000, per_image_micros: null, per_task_micros: null },
      }),
    );
    const balance = await (await balanceRoute(new Request("http://localhost/v1/balance", auth))).json();
    expect(balance).toEqual({
      object: "balance",
      currency: "usd",
      balance: "12.345678",
      balance_micros: 12_345_678,
      reserved: "0.000000",
      reserved_micros: 0,
      available: "12.345678",
      available_micros: 12_345_678,
      key: { id: keyId, name: "test", spend_limit_micros: 5_000_000, spent_micros: 0, spend_limit_period: "none", lifetime_spent_micros: 0 },
      subscriptions: [],
    });
  });
});
