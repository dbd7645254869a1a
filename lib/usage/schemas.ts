import { z } from "zod";

export const UsagePeriod = z.enum(["24h", "7d", "30d"]);
export type UsagePeriod = z.infer<typeof UsagePeriod>;

export const UsageStatus = z.enum(["SUCCEEDED", "PARTIAL", "FAILED"]);
export type UsageStatus = z.infer<typeof UsageStatus>;

/** Who paid a request: the prepaid balance, a subscription allowance, or both (an allowance that ran out mid-request). */
export const PaidBy = z.enum(["BALANCE", "SUBSCRIPTION", "MIXED"]);
export type PaidBy = z.infer<typeof PaidBy>;

/** The request log's filters (all optional; every one is also a URL parameter of the log page). */
export const UsageFilter = z.object({
  from: z.date().optional(),
  to: z.date().optional(),
  keyId: z.uuid().optional(),
  modelId: z.string().trim().min(1).max(200).optional(),
  status: UsageStatus.optional(),
  paidBy: PaidBy.optional(),
});
export type UsageFilter = z.infer<typeof UsageFilter>;

export const ListUsageInput = UsageFilter.extend({
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
  status: UsageStatus,
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  units: z.number().int(),
  costMicros: z.bigint(),
  latencyMs: z.number().int(),
  stream: z.boolean(),
  paidBy: PaidBy,
  /** The part of costMicros a subscription allowance paid; the balance paid the rest. */
  coveredMicros: z.bigint(),
  key: z.object({ id: z.string(), name: z.string(), prefix: z.string() }).nullable(),
});
export type UsageRow = z.infer<typeof UsageRow>;

/** Everything a usage record knows, for the request detail view and the CSV export. */
export const UsageDetail = UsageRow.extend({
  providerId: z.string().nullable(),
  upstreamModel: z.string().nullable(),
  cachedTokens: z.number().int(),
  ttftMs: z.number().int().nullable(),
  note: z.string().nullable(),
  inputPerMtokMicros: z.bigint().nullable(),
  outputPerMtokMicros: z.bigint().nullable(),
  unitPriceMicros: z.bigint().nullable(),
});
export type UsageDetail = z.infer<typeof UsageDetail>;
