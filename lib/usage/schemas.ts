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

/** A whole UTC day as the URL and the date inputs write it; a day that does not exist (2026-02-31) is refused, not rolled over. */
export function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00.000Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
}

/** A date parameter (`from`, `to`), its message naming the field by `label`. */
export const UsageDay = (label: string) =>
  z.string().refine(isCalendarDay, {
    error: (issue) => `${label} must be a date like 2026-03-04, not “${shown(issue.input)}”.`,
  });

/** A value as an error message quotes it: short, one line. */
export function shown(value: unknown): string {
  const text = String(value).replace(/\s+/g, " ");
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** One of an enum's values, in any case; the message quotes the value as it was given. */
function oneOf<V extends string>(values: z.ZodEnum<{ [K in V]: K }>, label: string) {
  const options: readonly string[] = values.options;
  const list = `${options.slice(0, -1).join(", ")} or ${options[options.length - 1]}`;
  return z
    .string()
    .refine((text) => options.includes(text.toUpperCase()), { error: (issue) => `${label} must be ${list}, not “${shown(issue.input)}”.` })
    .transform((text) => values.parse(text.toUpperCase()));
}

/**
 * The request log's filters as URL parameters (`?key=&model=&status=&paid_by=&from=&to=`), each message in
 * words the filter form can show beside its field. Status and payer are accepted in any case (the JSON
 * answers them in lower case).
 */
export const UsageFilterQuery = z
  .object({
    key: z.uuid({ error: (issue) => `Key must be the id of one of your API keys, not “${shown(issue.input)}”.` }).optional(),
    model: z.string().max(200, { error: "Model must be at most 200 characters." }).optional(),
    status: oneOf(UsageStatus, "Status").optional(),
    paid_by: oneOf(PaidBy, "Paid by").optional(),
    from: UsageDay("From").optional(),
    to: UsageDay("To").optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["from"], error: "From must be on or before To." });
export type UsageFilterQuery = z.infer<typeof UsageFilterQuery>;

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
  /** What was unusual about the request, e.g. an output cap the balance set (lib/usage/capped-note.ts). */
  note: z.string().nullable(),
});
export type UsageRow = z.infer<typeof UsageRow>;

/** Everything a usage record knows, for the request detail view and the CSV export. */
export const UsageDetail = UsageRow.extend({
  providerId: z.string().nullable(),
  upstreamModel: z.string().nullable(),
  cachedTokens: z.number().int(),
  ttftMs: z.number().int().nullable(),
  inputPerMtokMicros: z.bigint().nullable(),
  outputPerMtokMicros: z.bigint().nullable(),
  unitPriceMicros: z.bigint().nullable(),
});
export type UsageDetail = z.infer<typeof UsageDetail>;
