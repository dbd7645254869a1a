import { db, Prisma } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { decodeCursor, encodeCursor, type UsageCursor } from "./cursor";
import { ListUsageInput, UsageDetail, UsageRow, type UsageFilter } from "./schemas";

/** The user's account id, or null (no account yet). Every usage query is scoped through it. */
export async function accountIdOf(userId: string): Promise<string | null> {
  const account = await db.account.findUnique({ where: { userId }, select: { id: true } });
  return account?.id ?? null;
}

/** The WHERE of a filtered, owner-scoped usage query, for the log and the export (same rows, same order). */
export function usageWhere(accountId: string, filter: UsageFilter, after: UsageCursor | null): Prisma.UsageRecordWhereInput {
  return {
    accountId,
    ...(filter.keyId ? { apiKeyId: filter.keyId } : {}),
    ...(filter.modelId ? { modelId: filter.modelId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.paidBy ? { paidBy: filter.paidBy } : {}),
    AND: [
      filter.from ? { createdAt: { gte: filter.from } } : {},
      filter.to ? { createdAt: { lt: filter.to } } : {},
      after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
    ],
  };
}

/** The columns of a request log row. */
const usageRowSelect = {
  id: true,
  requestId: true,
  createdAt: true,
  modelId: true,
  endpoint: true,
  status: true,
  inputTokens: true,
  outputTokens: true,
  units: true,
  costMicros: true,
  latencyMs: true,
  stream: true,
  paidBy: true,
  coveredMicros: true,
  note: true,
  apiKeyId: true,
} as const;

/** A row's columns and the rest of the record, for the detail page and the CSV export. */
export const usageDetailSelect = {
  ...usageRowSelect,
  providerId: true,
  upstreamModel: true,
  cachedTokens: true,
  ttftMs: true,
  inputPerMtokMicros: true,
  outputPerMtokMicros: true,
  unitPriceMicros: true,
} as const;

/** Names and prefixes of the user's keys among `ids` (another user's key id never resolves). */
export async function keyLabels(userId: string, ids: Array<string | null>) {
  const keyIds = [...new Set(ids.filter((id): id is string => id !== null))];
  const keys = keyIds.length ? await db.apiKey.findMany({ where: { id: { in: keyIds }, userId }, select: { id: true, name: true, prefix: true } }) : [];
  return new Map(keys.map((k) => [k.id, k]));
}

/** The user's usage records, newest first, filtered, paginated by (createdAt, id), with each key's name and prefix. */
export async function listUsage({ ctx, input = {} }: { ctx: Pick<UserCtx, "userId">; input?: ListUsageInput }) {
  const { limit, cursor, ...filter } = ListUsageInput.parse(input);
  const after = cursor ? decodeCursor(cursor) : null;
  const accountId = await accountIdOf(ctx.userId);
  if (!accountId) return { items: [] as UsageRow[], nextCursor: null };

  const rows = await db.usageRecord.findMany({
    where: usageWhere(accountId, filter, after),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: usageRowSelect,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
  const keyById = await keyLabels(ctx.userId, page.map((r) => r.apiKeyId));
  const items = page.map(({ apiKeyId, ...row }) => UsageRow.parse({ ...row, key: (apiKeyId && keyById.get(apiKeyId)) || null }));
  return { items, nextCursor };
}

export type { UsageDetail };
