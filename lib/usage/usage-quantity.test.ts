import { describe, expect, it } from "vitest";
import { usageQuantity } from "./usage-quantity";

const record = (endpoint: string, inputTokens: number, outputTokens: number, units: number) => ({ endpoint, inputTokens, outputTokens, units });

describe("what a request used, for the request log", () => {
  it("shows tokens in / out for the endpoints billed by the token", () => {
    expect(usageQuantity(record("chat.completions", 1200, 35, 0))).toEqual({ tokenBilled: true, tokens: "1,200 / 35", units: null });
    expect(usageQuantity(record("embeddings", 12, 0, 3))).toEqual({ tokenBilled: true, tokens: "12 / 0", units: null });
  });

  it("shows no tokens for a media request, and its unit count where the record has one", () => {
    expect(usageQuantity(record("images.generations", 0, 0, 2))).toEqual({ tokenBilled: false, tokens: null, units: "2 images" });
    expect(usageQuantity(record("images.generations", 0, 0, 1))).toEqual({ tokenBilled: false, tokens: null, units: "1 image" });
    expect(usageQuantity(record("videos", 0, 0, 1))).toEqual({ tokenBilled: false, tokens: null, units: "1 task" });
    expect(usageQuantity(record("music", 0, 0, 0))).toEqual({ tokenBilled: false, tokens: null, units: null });
  });
});
