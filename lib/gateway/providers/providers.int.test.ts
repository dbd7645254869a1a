// Each adapter against a local mock upstream that speaks the real OpenAI and Anthropic wire formats,
// driven by the official `openai` client through the real route handlers. Every fault ends with the
// right status, the right charge (or none) and a clean ledger.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockUpstream, type MockUpstream } from "@/bench/mock-upstream";
import { checkLedger } from "@/lib/billing/check-ledger";
import { textCost } from "@/lib/billing/pricing";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { BASE_URL, gatewayFetch } from "@/scripts/test/gateway-fetch";
import { invalidateModels } from "../models";

const PRICE = { inputPerMtokMicros: 1_000_000n, outputPerMtokMicros: 2_000_000n };
let mock: MockUpstream;

async function addModel(id: string, providerId: string, upstreamModel: string, type: "CHAT" | "EMBEDDING" | "IMAGE" = "CHAT", fallback?: [string, string]) {
  await db.model.create({
    data: {
      id, type, providerId, upstreamModel, displayName: id,
      ...(fallback ? { fallbackProviderId: fallback[0], fallbackUpstreamModel: fallback[1] } : {}),
      inputPerMtokMicros: type === "IMAGE" ? null : PRICE.inputPerMtokMicros,
      outputPerMtokMicros: type === "CHAT" ? PRICE.outputPerMtokMicros : null,
      perImageMicros: type === "IMAGE" ? 30_000n : null,
      maxOutputTokens: 1000,
    },
  });
}

beforeAll(async () => {
  mock = await startMockUpstream({ chunks: 8 });
  await db.provider.create({ data: { id: "mock-openai", name: "Mock OpenAI", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  await db.provider.create({ data: { id: "mock-anthropic", name: "Mock Anthropic", kind: "ANTHROPIC", baseUrl: mock.url } });
  await addModel("m/chat", "mock-openai", "mock");
  await addModel("m/long", "mock-openai", "mock:chunks=200");
  await addModel("m/500", "mock-openai", "mock:fault=500");
  await addModel("m/429", "mock-openai", "mock:fault=429");
  await addModel("m/400", "mock-openai", "mock:fault=400");
  await addModel("m/slow", "mock-openai", "mock:fault=slow-first-byte:slow=4000");
  await addModel("m/reset", "mock-openai", "mock:fault=reset:chunks=20");
  await addModel("m/malformed", "mock-openai", "mock:fault=malformed:chunks=20");
  await addModel("m/no-usage", "mock-openai", "mock:fault=no-usage");
  await addModel("m/stall", "mock-openai", "mock:chunks=6:spacing=4000");
  await addModel("m/embed", "mock-openai", "mock", "EMBEDDING");
  await addModel("m/image", "mock-openai", "mock", "IMAGE");
  await addModel("a/claude", "mock-anthropic", "claude-mock");
  await addModel("a/500", "mock-anthropic", "claude-mock:fault=500");
  // A second provider (the same mock under another name) as the fallback of models whose own provider fails.
  await db.provider.create({ data: { id: "mock-backup", name: "Mock backup", kind: "OPENAI_COMPATIBLE", baseUrl: `${mock.url}/v1` } });
  await addModel("f/500", "mock-openai", "mock:fault=500", "CHAT", ["mock-backup", "mock:chunks=4"]);
  await addModel("f/slow", "mock-openai", "mock:fault=slow-first-byte:slow=4000", "CHAT", ["mock-backup", "mock:chunks=4"]);
  await addModel("f/400", "mock-openai", "mock:fault=400", "CHAT", ["mock-backup", "mock:chunks=4"]);
  await addModel("f/embed", "mock-openai", "mock:fault=500", "EMBEDDING", ["mock-backup", "mock"]);
  await addModel("f/anthropic", "mock-anthropic", "claude-mock:fault=500", "CHAT", ["mock-backup", "mock:chunks=4"]);
  invalidateModels();
});
afterAll(() => mock.close());

async function customer(balance = 10_000_000n) {
  const c = await createFunded(balance);
  return { ...c, client: new OpenAI({ apiKey: c.key, baseURL: BASE_URL, fetch: gatewayFetch, maxRetries: 0 }) };
}

const messages = [{ role: "user" as const, content: "Hello upstream" }];

describe("openai-compatible adapter", () => {
  it("completes through the official client and charges the upstream's usage exactly", async () => {
    const { client, account } = await customer();
    const completion = await client.chat.completions.create({ model: "m/chat", messages });
    expect(completion.choices[0]!.message.content).toContain("quick brown fox");
    expect(completion.model).toBe("m/chat");
    const usage = completion.usage as unknown as { prompt_tokens: number; completion_tokens: number; cost_micros: number };
    const expected = textCost(PRICE, usage.prompt_tokens, usage.completion_tokens);
    expect(BigInt(usage.cost_micros)).toBe(expected);
    expect((await accountState(account.id)).balance).toBe(10_000_000n - expected);
    const sent = mock.requests.at(-1)!;
    expect(sent.body.model).toBe("mock");
    const record = await db.usageRecord.findFirstOrThrow({ where: { accountId: account.id } });
    expect(record).toMatchObject({ providerId: "mock-openai", upstreamModel: "mock", status: "SUCCEEDED" });
  });

  it("charges a provider's count of tool definitions in full: the hold covers the whole request", async () => {
    const { client, account } = await customer();
    const tools = [{ type: "function" as const, function: { name: "search", description: "Searches the knowledge base. ".repeat(400), parameters: { type: "object", properties: { q: { type: "string" } } } } }];
    const completion = await client.chat.completions.create({ model: "m/chat", messages, tools, max_tokens: 5 });
    const usage = completion.usage as unknown as { prompt_tokens: number; completion_tokens: number; cost_micros: number };
    expect(usage.prompt_tokens).toBeGreaterThan(2_000); // the mock counts the tools, as providers do
    expect(BigInt(usage.cost_micros)).toBe(textCost(PRICE, usage.prompt_tokens, usage.completion_tokens));
    expect((await accountState(account.id)).balance).toBe(10_000_000n - BigInt(usage.cost_micros));
  });

  it("streams through the official client, always asks the upstream for usage, and strips it when not asked", async () => {
    const { client, account } = await customer();
    const stream = await client.chat.completions.create({ model: "m/chat", messages, stream: true });
    let text = "";
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toContain("quick brown fox");
    expect(sawUsage).toBe(false);
    expect((mock.requests.at(-1)!.body.stream_options as { include_usage: boolean }).include_usage).toBe(true);
    const record = await db.usageRecord.findFirstOrThrow({ where: { accountId: account.id } });
    expect(record.outputTokens).toBe(8);
    expect(record.ttftMs).not.toBeNull();
    expect((await accountState(account.id)).balance).toBe(10_000_000n - record.costMicros);
  });

  it("passes 200 chunks through as 200 chunks", async () => {
    const { client } = await customer();
    const stream = await client.chat.completions.create({ model: "m/long", messages, stream: true, stream_options: { include_usage: true } });
    let contentChunks = 0;
    let cost: number | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) contentChunks++;
      if (chunk.usage) cost = (chunk.usage as unknown as { cost_micros: number }).cost_micros;
    }
    expect(contentChunks).toBe(200);
    expect(cost).toBeGreaterThan(0);
  });

  it("maps upstream 500 and 429 to 502 and a 400 through as 400, charging nothing", async () => {
    const { client, account } = await customer();
    for (const [model, status, code] of [["m/500", 502, "upstream_error"], ["m/429", 502, "upstream_error"], ["m/400", 400, "invalid_request"]] as const) {
      const error = await client.chat.completions.create({ model, messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe(code);
    }
    expect(await accountState(account.id)).toEqual({ balance: 10_000_000n, reserved: 0n, available: 10_000_000n });
    expect(await db.usageRecord.count({ where: { accountId: account.id, status: "FAILED" } })).toBe(3);
  });

  it("answers 504 when the upstream sends nothing before the first-byte timeout, charging nothing", async () => {
    const { client, account } = await customer();
    const error = await client.chat.completions.create({ model: "m/slow", messages }).catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    const streamed = await client.chat.completions.create({ model: "m/slow", messages, stream: true }).catch((e: unknown) => e);
    expect((streamed as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((await accountState(account.id)).balance).toBe(10_000_000n);
  });

  it("charges what was delivered when the upstream resets, stalls or garbles mid-stream", async () => {
    for (const model of ["m/reset", "m/malformed", "m/stall"]) {
      const { client, account } = await customer();
      const stream = await client.chat.completions.create({ model, messages, stream: true });
      let text = "";
      const error = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      })().catch((e: unknown) => e);
      expect(error, model).toBeTruthy(); // the client sees the error event
      expect(text.length, model).toBeGreaterThan(0);
      const record = await db.usageRecord.findFirstOrThrow({ where: { accountId: account.id } });
      expect(record.status, model).toBe("PARTIAL");
      expect(record.outputTokens, model).toBeGreaterThan(0);
      expect(record.costMicros).toBe(textCost(PRICE, record.inputTokens, record.outputTokens));
      expect((await accountState(account.id)).balance).toBe(10_000_000n - record.costMicros);
    }
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("counts with the tokenizer when the upstream reports no usage", async () => {
    const { client, account } = await customer();
    const completion = await client.chat.completions.create({ model: "m/no-usage", messages });
    const usage = completion.usage as unknown as { prompt_tokens: number; completion_tokens: number; cost_micros: number };
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect((await accountState(account.id)).balance).toBe(10_000_000n - BigInt(usage.cost_micros));
  });

  it("serves embeddings (base64, as the official client asks) and images, per token and per image", async () => {
    const { client, account } = await customer();
    const embedding = await client.embeddings.create({ model: "m/embed", input: ["one", "two"] });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0]!.embedding).toHaveLength(3);
    const image = await client.images.generate({ model: "m/image", prompt: "a fox", n: 2 });
    expect(image.data).toHaveLength(2);
    expect((image as unknown as { usage: { cost_micros: number } }).usage.cost_micros).toBe(60_000);
    const records = await db.usageRecord.findMany({ where: { accountId: account.id }, orderBy: { createdAt: "asc" } });
    expect(records.map((r) => r.endpoint)).toEqual(["embeddings", "images.generations"]);
    const spent = records.reduce((sum, r) => sum + r.costMicros, 0n);
    expect((await accountState(account.id)).balance).toBe(10_000_000n - spent);
  });
});

describe("fallback provider", () => {
  /** The upstream models the mock was asked for while `fn` ran, in order. */
  async function asked<T>(fn: () => Promise<T>): Promise<{ result: T; models: unknown[] }> {
    const before = mock.requests.length;
    const result = await fn();
    return { result, models: mock.requests.slice(before).map((r) => r.body.model) };
  }

  it("answers from the fallback when the provider fails before any output, charged once, the usage naming who answered", async () => {
    const { client, account } = await customer();
    const plain = await asked(() => client.chat.completions.create({ model: "f/500", messages }));
    expect(plain.models).toEqual(["mock:fault=500", "mock:chunks=4"]);
    expect(plain.result.model).toBe("f/500");
    const streamed = await asked(async () => {
      let text = "";
      for await (const chunk of await client.chat.completions.create({ model: "f/slow", messages, stream: true })) text += chunk.choices[0]?.delta?.content ?? "";
      return text;
    });
    expect(streamed.models).toEqual(["mock:fault=slow-first-byte:slow=4000", "mock:chunks=4"]);
    expect(streamed.result.length).toBeGreaterThan(0);
    const records = await db.usageRecord.findMany({ where: { accountId: account.id }, orderBy: { createdAt: "asc" } });
    expect(records.map((r) => [r.modelId, r.status, r.providerId, r.upstreamModel])).toEqual([
      ["f/500", "SUCCEEDED", "mock-backup", "mock:chunks=4"],
      ["f/slow", "SUCCEEDED", "mock-backup", "mock:chunks=4"],
    ]);
    const spent = records.reduce((sum, r) => sum + r.costMicros, 0n);
    expect(spent).toBeGreaterThan(0n);
    expect(await accountState(account.id)).toEqual({ balance: 10_000_000n - spent, reserved: 0n, available: 10_000_000n - spent });
    expect((await checkLedger()).violations).toEqual([]);
  });

  it("never sends the request's own error (a 4xx) to the fallback", async () => {
    const { client, account } = await customer();
    const failed = await asked(() => client.chat.completions.create({ model: "f/400", messages }).catch((e: unknown) => e));
    expect((failed.result as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(failed.models).toEqual(["mock:fault=400"]);
    expect((await accountState(account.id)).balance).toBe(10_000_000n);
  });

  it("covers embeddings, and a chat model whose own provider is Anthropic", async () => {
    const { client, account } = await customer();
    const embedding = await asked(() => client.embeddings.create({ model: "f/embed", input: ["one"] }));
    expect(embedding.models).toEqual(["mock:fault=500", "mock"]);
    expect(embedding.result.data).toHaveLength(1);
    const chat = await client.chat.completions.create({ model: "f/anthropic", messages });
    expect(chat.choices[0]!.message.content).toBeTruthy();
    const records = await db.usageRecord.findMany({ where: { accountId: account.id }, orderBy: { createdAt: "asc" } });
    expect(records.map((r) => [r.status, r.providerId])).toEqual([["SUCCEEDED", "mock-backup"], ["SUCCEEDED", "mock-backup"]]);
  });
});

describe("anthropic adapter", () => {
  it("translates Chat Completions to Messages and back, streamed and not", async () => {
    const { client, account } = await customer();
    const completion = await client.chat.completions.create({
      model: "a/claude",
      messages: [{ role: "system", content: "Be brief." }, ...messages],
      max_tokens: 50,
    });
    expect(completion.choices[0]!.message.content).toContain("quick brown fox");
    const sent = mock.requests.at(-1)!;
    expect(sent.path).toBe("/v1/messages");
    expect(sent.body).toMatchObject({ model: "claude-mock", system: "Be brief.", max_tokens: 50 });
    expect(sent.headers["anthropic-version"]).toBe("2023-06-01");

    const stream = await client.chat.completions.create({ model: "a/claude", messages, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: { completion_tokens: number; cost_micros: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage as unknown as typeof usage;
    }
    expect(text).toContain("quick brown fox");
    expect(usage!.completion_tokens).toBe(8);
    const records = await db.usageRecord.findMany({ where: { accountId: account.id } });
    expect(records).toHaveLength(2);
    expect((await accountState(account.id)).balance).toBe(10_000_000n - records.reduce((s, r) => s + r.costMicros, 0n));
  });

  it("charges nothing when Anthropic fails before output", async () => {
    const { client, account } = await customer();
    const error = await client.chat.completions.create({ model: "a/500", messages }).catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((await accountState(account.id)).balance).toBe(10_000_000n);
  });

  it("serves the official Anthropic SDK through /v1/messages, streamed and not, charged like chat", async () => {
    const { key, account } = await customer();
    const sdk = new Anthropic({ apiKey: key, baseURL: BASE_URL.replace(/\/v1$/, ""), fetch: gatewayFetch, maxRetries: 0 });
    const message = await sdk.messages.create({ model: "a/claude", max_tokens: 50, system: "Be brief.", messages: [{ role: "user", content: "hi" }] });
    expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("quick brown fox") });
    expect(message.usage.output_tokens).toBe(8);
    expect(mock.requests.at(-1)!.body).toMatchObject({ model: "claude-mock", system: "Be brief.", max_tokens: 50 });

    const stream = sdk.messages.stream({ model: "a/claude", max_tokens: 50, messages: [{ role: "user", content: "stream" }] });
    let streamed = "";
    stream.on("text", (t) => (streamed += t));
    const final = await stream.finalMessage();
    expect(streamed).toContain("quick brown fox");
    expect(final.usage.output_tokens).toBe(8);
    expect(final.stop_reason).toBe("end_turn");

    const records = await db.usageRecord.findMany({ where: { accountId: account.id } });
    expect(records).toHaveLength(2);
    for (const r of records) expect(r.costMicros).toBe(textCost(PRICE, r.inputTokens, r.outputTokens));
    expect((await accountState(account.id)).balance).toBe(10_000_000n - records.reduce((s, r) => s + r.costMicros, 0n));

    const broke = new Anthropic({ apiKey: (await createFunded(0n)).key, baseURL: BASE_URL.replace(/\/v1$/, ""), fetch: gatewayFetch, maxRetries: 0 });
    const refused = await broke.messages.create({ model: "a/claude", max_tokens: 50, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect((refused as InstanceType<typeof Anthropic.APIError>).status).toBe(402);
  });

  it("the mock speaks Anthropic's real protocol (checked with the official SDK)", async () => {
    const anthropic = new Anthropic({ apiKey: "test", baseURL: mock.url, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: "claude-mock", max_tokens: 20, messages: [{ role: "user", content: "hi" }] });
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(message.usage.output_tokens).toBe(8);
    const stream = anthropic.messages.stream({ model: "claude-mock", max_tokens: 20, messages: [{ role: "user", content: "hi" }] });
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(8);
  });
});
