import { describe, expect, it } from "vitest";
import { affordableOutputTokens, textCost } from "./pricing";

const price = { inputPerMtokMicros: 500_000n, outputPerMtokMicros: 1_500_000n };

describe("text pricing", () => {
  it("follows API.md's formula, rounded up to the next micro", () => {
    // (20 * 500000 + 50 * 1500000) / 1e6 = 85 exactly
    expect(textCost(price, 20, 50)).toBe(85n);
    // (1 * 500000 + 0) / 1e6 = 0.5 → 1
    expect(textCost(price, 1, 0)).toBe(1n);
    expect(textCost(price, 0, 0)).toBe(0n);
  });

  it("caps output at what a budget can pay for", () => {
    // budget 100 micros: input 20 tokens = 10 micros; 90 micros / 1.5 per token = 60 tokens
    expect(affordableOutputTokens(price, 20, 100n)).toBe(60);
    expect(textCost(price, 20, 60)).toBeLessThanOrEqual(100n);
    expect(textCost(price, 20, 61)).toBeGreaterThan(100n);
    expect(affordableOutputTokens(price, 1000, 100n)).toBe(0);
  });
});
