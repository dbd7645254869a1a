// How much a request costs. Computed once, at settlement, rounded up to the next micro (API.md).
import { ceilDiv } from "@/lib/money";

export interface TextPrice {
  inputPerMtokMicros: bigint;
  outputPerMtokMicros: bigint;
}

const MTOK = 1_000_000n;

/** cost = ceil((input_tokens * input_price + output_tokens * output_price) / 1_000_000) */
export function textCost(price: TextPrice, inputTokens: number, outputTokens: number): bigint {
  return ceilDiv(BigInt(inputTokens) * price.inputPerMtokMicros + BigInt(outputTokens) * price.outputPerMtokMicros, MTOK);
}

/** The most output tokens `budgetMicros` can pay for after the input (0 when it cannot pay for the input). */
export function affordableOutputTokens(price: TextPrice, inputTokens: number, budgetMicros: bigint): number {
  const left = budgetMicros * MTOK - BigInt(inputTokens) * price.inputPerMtokMicros;
  if (left < 0n) return 0;
  if (price.outputPerMtokMicros === 0n) return Number.MAX_SAFE_INTEGER;
  const tokens = left / price.outputPerMtokMicros;
  return tokens > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(tokens);
}
