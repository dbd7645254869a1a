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

/** Why typed text is not an amount a form can take. */
export type UsdInputProblem = "empty" | "not_an_amount" | "too_precise" | "too_large";

/** The most whole-dollar digits parseUsd takes; anything longer is "too_large", not "not_an_amount". */
const MAX_WHOLE_DIGITS = 12;

/**
 * The largest amount parseUsdInput takes ($999,999,999,999.999999): the `maxMicros` of a dollar field whose
 * schema sets no limit of its own, so it takes every amount the parser does and names a real one above that.
 */
export const USD_INPUT_MAX_MICROS = 10n ** BigInt(MAX_WHOLE_DIGITS) * MICROS_PER_USD - 1n;

/**
 * What people type into a dollar field: "$1,234.50", "25", " 0.5 ". Says what is wrong instead of only
 * failing, so a form can answer "The largest top-up is $10,000.00." to 99999999999999 and "at most six decimal
 * places" to 0.0000001 rather than "not an amount". Thousands separators are ignored. A form still checks its
 * own range: "too_large" only means the text is beyond any amount this parser takes.
 */
export function parseUsdInput(text: string): { ok: true; micros: bigint } | { ok: false; problem: UsdInputProblem } {
  const cleaned = text.trim().replace(/^(-?)\$/, "$1").replace(/,/g, "");
  if (!cleaned) return { ok: false, problem: "empty" };
  const match = /^(-)?(\d+)?(?:\.(\d+))?$/.exec(cleaned);
  if (!match || (match[2] === undefined && match[3] === undefined)) return { ok: false, problem: "not_an_amount" };
  const [, sign = "", whole = "0", frac = ""] = match;
  if (frac.length > 6) return { ok: false, problem: "too_precise" };
  const digits = whole.replace(/^0+(?=\d)/, "");
  if (digits.length > MAX_WHOLE_DIGITS) return { ok: false, problem: "too_large" };
  return { ok: true, micros: parseUsd(`${sign}${digits}${frac ? `.${frac}` : ""}`) };
}

/**
 * The message for a refused dollar field. `largest` names what the field holds ("top-up" → "The largest top-up
 * is $10,000.00."), shown when the text is above `maxMicros` or too long to be an amount; `invalid` is the
 * field's own hint for text that is no amount at all (and for an empty field that needs one).
 */
export function usdInputMessage(
  problem: UsdInputProblem | "above_max",
  field: { largest: string; maxMicros: bigint; invalid: string },
): string {
  if (problem === "too_precise") return "Use at most six decimal places (a millionth of a dollar).";
  if (problem === "too_large" || problem === "above_max") return `The largest ${field.largest} is ${displayUsd(field.maxMicros)}.`;
  return field.invalid;
}

/**
 * A dollar form field in one call: empty → `micros: null` (the caller decides whether it may be), otherwise
 * the amount, or the message saying what is wrong with it (usdInputMessage), including an amount above the
 * field's `maxMicros`. The field's own lower bounds stay with its schema.
 */
export function parseUsdField(
  text: string,
  field: { largest: string; maxMicros: bigint; invalid: string },
): { ok: true; micros: bigint | null } | { ok: false; error: string } {
  const parsed = parseUsdInput(text);
  if (!parsed.ok) return parsed.problem === "empty" ? { ok: true, micros: null } : { ok: false, error: usdInputMessage(parsed.problem, field) };
  if (parsed.micros > field.maxMicros) return { ok: false, error: usdInputMessage("above_max", field) };
  return { ok: true, micros: parsed.micros };
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
