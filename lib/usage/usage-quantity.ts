// What a request used, for people: tokens for the endpoints billed by the token, a count of what was made for
// the ones billed per unit (images, tasks). A media request's tokens are always 0, and "0 / 0" read as if it
// had used nothing.

/** Endpoints billed per unit, with the unit's name (one, many). Anything else is billed by the token. */
const UNIT_ENDPOINTS: Record<string, readonly [string, string]> = {
  "images.generations": ["image", "images"],
  videos: ["task", "tasks"],
  music: ["task", "tasks"],
};

const integer = new Intl.NumberFormat("en-US");

export interface UsageQuantity {
  /** False for an endpoint billed per unit: its token counts mean nothing ("—"). */
  tokenBilled: boolean;
  /** "1,200 / 350" for a token-billed request, else null. */
  tokens: string | null;
  /** "2 images", "1 task": set only for a per-unit endpoint whose record counted units. */
  units: string | null;
}

export function usageQuantity(record: { endpoint: string; inputTokens: number; outputTokens: number; units: number }): UsageQuantity {
  const unit = UNIT_ENDPOINTS[record.endpoint];
  if (!unit) return { tokenBilled: true, tokens: `${integer.format(record.inputTokens)} / ${integer.format(record.outputTokens)}`, units: null };
  return { tokenBilled: false, tokens: null, units: record.units > 0 ? `${integer.format(record.units)} ${record.units === 1 ? unit[0] : unit[1]}` : null };
}
