import { describe, expect, it } from "vitest";
import { ceilDiv, displayUsd, formatUsd, moneyPair, parseUsd, tryParseUsd } from "./money";

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
    expect(tryParseUsd("1e3")).toBeNull();
    expect(tryParseUsd("0.0000001")).toBeNull();
    expect(tryParseUsd("abc")).toBeNull();
    expect(tryParseUsd("")).toBeNull();
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
