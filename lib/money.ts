// Micro-dollars: the only place that turns micros into text or text into micros.
// 1 USD = 1_000_000 micros. Never a float on the way in; JSON numbers only for integers.

export const MICROS_PER_USD = 1_000_000n;

/** ceil(a / b) for non-negative bigints. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError("ceilDiv: divisor must be positive");
  if (a <= 0n) return -(-a / b);
  return (a + b - 1n) / b;
}

/** Exact decimal string with six places: 12345678n → "12.345678". */
export function formatUsd(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_USD;
  const frac = (abs % MICROS_PER_USD).toString().padStart(6, "0");
  return `${negative ? "-" : ""}${whole}.${frac}`;
}

/**
 * For people: "$12.35"; exact to the micro when an amount has fractions of a cent ("$19.999713"),
 * since requests cost fractions of a cent and a balance must visibly move by exactly what they cost.
 */
export function displayUsd(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = (abs / MICROS_PER_USD).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  let frac = (abs % MICROS_PER_USD).toString().padStart(6, "0").replace(/0+$/, "");
  if (frac.length < 2) frac = frac.padEnd(2, "0");
  return `${negative ? "-" : ""}$${whole}.${frac}`;
}

const USD_PATTERN = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/;

/** Parses "12.5", "12.500000", "-3" into micros; throws on anything else (no floats, no exponents). */
export function parseUsd(text: string): bigint {
  const match = USD_PATTERN.exec(text.trim().replace(/^\$/, ""));
  if (!match) throw new RangeError(`not a dollar amount: ${JSON.stringify(text)}`);
  const [, sign, whole = "0", frac = ""] = match;
  const micros = BigInt(whole) * MICROS_PER_USD + BigInt(frac.padEnd(6, "0"));
  return sign ? -micros : micros;
}

/** Like parseUsd but returns null instead of throwing. */
export function tryParseUsd(text: string): bigint | null {
  try {
    return parseUsd(text);
  } catch {
    return null;
  }
}

/** Micros as a JSON number; exact below 2^53 micros (≈ $9 billion). */
export function microsToNumber(micros: bigint): number {
  if (micros > BigInt(Number.MAX_SAFE_INTEGER) || micros < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError("amount too large to send as a JSON number");
  }
  return Number(micros);
}

/** The API's money pair: { name: "12.345678", name_micros: 12345678 }. */
export function moneyPair<N extends string>(name: N, micros: bigint) {
  return { [name]: formatUsd(micros), [`${name}_micros`]: microsToNumber(micros) } as {
    [K in N | `${N}_micros`]: K extends `${string}_micros` ? number : string;
  };
}

/** USD as a JSON number, for `usage.cost` (API.md): exact to six places in decimal. */
export function microsToUsdNumber(micros: bigint): number {
  return Number(formatUsd(micros));
}
