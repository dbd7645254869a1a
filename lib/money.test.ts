import { describe, expect, it } from "vitest";
import { ceilDiv, displayUsd, formatUsd, moneyPair, parseUsd, parseUsdField, parseUsdInput, USD_INPUT_MAX_MICROS } from "./money";

describe("money", () => {
  it("formats micros as exact six-place decimals", () => {
    expect(formatUsd(12_345_678n)).toBe("12.345678");
    expect(formatUsd(0n)).toBe("0.000000");
    expect(formatUsd(-5n)).toBe("-0.000005");
    expect(formatUsd(10_000_000_000n)).toBe("10000.000000");
  });

  it("parses dollar text exactly and refuses floats' notations", () => {
    expect(parseUsd("12.5")).toBe(12_500_000n);
    expect(parseUsd("$0.000001")).toBe(1n);
    expect(parseUsd("-3")).toBe(-3_000_000n);
    expect(() => parseUsd("1e3")).toThrow(RangeError);
    expect(() => parseUsd("0.0000001")).toThrow(RangeError);
    expect(() => parseUsd("abc")).toThrow(RangeError);
    expect(() => parseUsd("")).toThrow(RangeError);
  });

  it("says why typed text is not an amount: empty, not a number, too precise or too large", () => {
    expect(parseUsdInput(" $1,234.50 ")).toEqual({ ok: true, micros: 1_234_500_000n });
    expect(parseUsdInput(".5")).toEqual({ ok: true, micros: 500_000n });
    expect(parseUsdInput("  ")).toEqual({ ok: false, problem: "empty" });
    expect(parseUsdInput("1e3")).toEqual({ ok: false, problem: "not_an_amount" });
    expect(parseUsdInput(".")).toEqual({ ok: false, problem: "not_an_amount" });
    expect(parseUsdInput("0.0000001")).toEqual({ ok: false, problem: "too_precise" });
    expect(parseUsdInput("99999999999999")).toEqual({ ok: false, problem: "too_large" });
    expect(parseUsdInput("000000000000001")).toEqual({ ok: true, micros: 1_000_000n });
  });

  it("names a field's largest amount rather than calling a long number no amount", () => {
    const field = { largest: "top-up", maxMicros: 10_000_000_000n, invalid: "Enter an amount in dollars, like 25 or 25.50." };
    expect(parseUsdField("99999999999999", field)).toEqual({ ok: false, error: "The largest top-up is $10,000.00." });
    expect(parseUsdField("10000.01", field)).toEqual({ ok: false, error: "The largest top-up is $10,000.00." });
    expect(parseUsdField("0.0000001", field)).toEqual({ ok: false, error: "Use at most six decimal places (a millionth of a dollar)." });
    expect(parseUsdField("abc", field)).toEqual({ ok: false, error: "Enter an amount in dollars, like 25 or 25.50." });
    expect(parseUsdField("", field)).toEqual({ ok: true, micros: null });
    expect(parseUsdField("10,000", field)).toEqual({ ok: true, micros: 10_000_000_000n });
    expect(parseUsdField("1,234.50", field)).toEqual({ ok: true, micros: 1_234_500_000n });
    expect(parseUsdField("1.1234567", field)).toEqual({ ok: false, error: "Use at most six decimal places (a millionth of a dollar)." });
  });

  it("gives a field with no limit of its own every amount the parser takes, and names the largest", () => {
    const field = { largest: "price", maxMicros: USD_INPUT_MAX_MICROS, invalid: "Enter a price." };
    expect(USD_INPUT_MAX_MICROS).toBe(parseUsd("999999999999.999999"));
    expect(parseUsdField("999,999,999,999.999999", field)).toEqual({ ok: true, micros: 999_999_999_999_999_999n });
    expect(parseUsdField("1,000,000,000,000", field)).toEqual({ ok: false, error: "The largest price is $999,999,999,999.999999." });
  });

  it("rounds division up for costs", () => {
    expect(ceilDiv(1n, 1_000_000n)).toBe(1n);
    expect(ceilDiv(1_000_000n, 1_000_000n)).toBe(1n);
    expect(ceilDiv(1_000_001n, 1_000_000n)).toBe(2n);
    expect(ceilDiv(0n, 7n)).toBe(0n);
  });

  it("shows people cents, and fractions of a cent exactly", () => {
    expect(displayUsd(20_000_000n)).toBe("$20.00");
    expect(displayUsd(19_990_000n)).toBe("$19.99");
    expect(displayUsd(19_999_713n)).toBe("$19.999713");
    expect(displayUsd(1_234_567_890n)).toBe("$1,234.56789");
    expect(displayUsd(85n)).toBe("$0.000085");
    expect(displayUsd(-3_000_000n)).toBe("-$3.00");
  });

  it("renders the API's money pair", () => {
    expect(moneyPair("balance", 12_345_678n)).toEqual({ balance: "12.345678", balance_micros: 12_345_678 });
  });
});
