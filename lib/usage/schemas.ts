import { z } from "zod";

export const UsagePeriod = z.enum(["24h", "7d", "30d"]);
export type UsagePeriod = z.infer<typeof UsagePeriod>;

export const ListUsageInput = z.object({
  from: z.date().optional(),
  to: z.date().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Opaque, from a previous page's nextCursor. */
  cursor: z.string().max(200).optional(),
});
export type ListUsageInput = z.input<typeof ListUsageInput>;

export const UsageRangeInput = z.object({ from: z.date(), to: z.date() });
export type UsageRangeInput = z.infer<typeof UsageRangeInput>;

/** One row of "Recent requests": no prices per token, no account ids. */
export const UsageRow = z.object({
  id: z.string(),
  requestId: z.string(),
  createdAt: z.date(),
  modelId: z.string(),
  endpoint: z.string(),
  status: z.enum(["SUCCEEDED", "PARTIAL", "FAILED"]),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  units: z.number().int(),
  costMicros: z.bigint(),
  latencyMs: z.number().int(),
  stream: z.boolean(),
  key: z.object({ id: z.string(), name: z.string(), prefix: z.string() }).nullable(),
});
export type UsageRow = z.infer<typeof UsageRow>;
