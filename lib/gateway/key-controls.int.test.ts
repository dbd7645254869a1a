// Per-key controls as the API enforces them: rate limit (429 + retry-after), expiry (401), and the
// sandbox's embeddings and images through the official client.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { BASE_URL, gatewayFetch } from "@/scripts/test/gateway-fetch";

const client = (key: string) => new OpenAI({ apiKey: key, baseURL: BASE_URL, fetch: gatewayFetch, maxRetries: 0 });
const messages = [{ role: "user" as const, content: "hi" }];

describe("key controls", () => {
  it("rate-limits a key per minute with 429 and retry-after, charging nothing for the refused call", async () => {
    const { key, keyId, account } = await createFunded(10_000_000n);
    await db.apiKey.update({ where: { id: keyId }, data: { rateLimitPerMinute: 3 } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await gatewayFetch(`${BASE_URL}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "sandbox/chat", messages }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect(await res.json()).toMatchObject({ error: { code: "rate_limited", type: "rate_limit_error" } });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(await db.usageRecord.count({ where: { accountId: account.id } })).toBe(3);

    // A new window opens after a minute.
    await db.apiKey.update({ where: { id: keyId }, data: { rateWindowStart: new Date(Date.now() - 61_000) } });
    const again = await client(key).chat.completions.create({ model: "sandbox/chat", messages });
    expect(again.choices).toHaveLength(1);
    expect((await accountState(account.id)).reserved).toBe(0n);
  });

  it("refuses an expired key with 401", async () => {
    const { key, keyId } = await createFunded(1_000_000n);
    await db.apiKey.update({ where: { id: keyId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const error = await client(key).models.list().catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("expired");
  });

  it("embeds and draws images on the sandbox, per token and per image", async () => {
    const { key, account } = await createFunded(1_000_000n);
    const embedding = await client(key).embeddings.create({ model: "sandbox/embed", input: "The quick brown fox" });
    expect(embedding.data[0]!.embedding).toHaveLength(256);
    const same = await client(key).embeddings.create({ model: "sandbox/embed", input: "The quick brown fox", encoding_format: "float" });
    // The client asked for base64 the first time (float32 on the wire): the same vector, to float32 precision.
    same.data[0]!.embedding.forEach((value, i) => expect(embedding.data[0]!.embedding[i]).toBeCloseTo(value, 5));
    const image = await client(key).images.generate({ model: "sandbox/image", prompt: "a red fox", n: 2, response_format: "b64_json" });
    expect(image.data).toHaveLength(2);
    const png = Buffer.from(image.data![0]!.b64_json!, "base64");
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");
    const records = await db.usageRecord.findMany({ where: { accountId: account.id } });
    const image_ = records.find((r) => r.endpoint === "images.generations")!;
    expect(image_).toMatchObject({ units: 2, costMicros: 80_000n, unitPriceMicros: 40_000n });
    const spent = records.reduce((s, r) => s + r.costMicros, 0n);
    expect((await accountState(account.id)).balance).toBe(1_000_000n - spent);
  });

  it("rejects the wrong model type for an endpoint with a clear 400", async () => {
    const { key } = await createFunded(1_000_000n);
    const error = await client(key).embeddings.create({ model: "sandbox/chat", input: "x" }).catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("chat model");
  });
});
