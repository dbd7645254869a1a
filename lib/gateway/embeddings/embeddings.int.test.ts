import { describe, expect, it } from "vitest";
import { POST as embeddingsRoute } from "@/app/v1/embeddings/route";
import { checkLedger } from "@/lib/billing/check-ledger";
import { textCost } from "@/lib/billing/pricing";
import { db } from "@/lib/db";
import { accountState, createFunded } from "@/scripts/test/fixtures";
import { countTokens } from "../tokens";

const PRICE = { inputPerMtokMicros: 20_000n, outputPerMtokMicros: 0n }; // sandbox/embed (prisma/models.json)

function post(key: string, body: unknown) {
  return embeddingsRoute(
    new Request("http://localhost/v1/embeddings", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );
}

describe("POST /v1/embeddings", () => {
  it("holds on the request's size, or on the inputs' count when the balance cannot cover that, and charges the count", async () => {
    const input = ["The gateway meters every token it forwards. ".repeat(2500), "and a second input"];
    const exact = input.reduce((sum, text) => sum + countTokens(text), 0);
    const bound = Buffer.byteLength(JSON.stringify({ model: "sandbox/embed", input })); // the request's size
    const charge = textCost(PRICE, exact, 0);

    const rich = await createFunded(1_000_000n);
    const res = await post(rich.key, { model: "sandbox/embed", input });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(exact);
    const hold = await db.hold.findUniqueOrThrow({ where: { requestId: res.headers.get("x-request-id")! } });
    expect(hold.amountMicros).toBe(textCost(PRICE, bound, 0));
    expect(res.headers.get("x-request-cost-micros")).toBe(charge.toString());

    // A balance short of the bound's hold but enough for the count's (with its margin).
    const budget = textCost(PRICE, Math.ceil(exact * 1.1) + 16, 0);
    expect(textCost(PRICE, bound, 0)).toBeGreaterThan(budget);
    const poor = await createFunded(budget);
    const fits = await post(poor.key, { model: "sandbox/embed", input });
    expect(fits.status).toBe(200);
    expect(await accountState(poor.account.id)).toEqual({ balance: budget - charge, reserved: 0n, available: budget - charge });

    // Short of that too: 402, nothing held or charged.
    const broke = await createFunded(charge);
    const refused = await post(broke.key, { model: "sandbox/embed", input });
    expect(refused.status).toBe(402);
    expect(await accountState(broke.account.id)).toEqual({ balance: charge, reserved: 0n, available: charge });
    expect((await checkLedger()).ok).toBe(true);
  });

  it("embeds text that spells a special token as plain text", async () => {
    const { key } = await createFunded(1_000_000n);
    const res = await post(key, { model: "sandbox/embed", input: "what is <|endoftext|>?" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(countTokens("what is <|endoftext|>?"));
  });
});
