import { db, Prisma } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { ListUsageInput, UsageRow } from "./schemas";

interface Cursor {
  createdAt: Date;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

function decodeCursor(text: string): Cursor {
  const [iso, id] = Buffer.from(text, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError("invalid_request", "That page link is no longer valid.", { param: "cursor" });
  }
  return { createdAt, id };
}

/** The user's usage records, newest first, paginated by (createdAt, id), with each key's name and prefix. */
export async function listUsage({ ctx, input = {} }: { ctx: Pick<UserCtx, "userId">; input?: ListUsageInput }) {
  const { from, to, limit, cursor } = ListUsageInput.parse(input);
  const after = cursor ? decodeCursor(cursor) : null;

  const where: Prisma.UsageRecordWhereInput = {
    account: { userId: ctx.userId },
    AND: [
      from ? { createdAt: { gte: from } } : {},
      to ? { createdAt: { lt: to } } : {},
      after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
    ],
  };
  const rows = await db.usageRecord.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: {
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
      apiKeyId: true,
    },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;

  const keyIds = [...new Set(page.map((r) => r.apiKeyId).filter((id): id is string => id !== null))];
  const keys = keyIds.length
    ? await db.apiKey.findMany({ where: { id: { in: keyIds }, userId: ctx.userId }, select: { id: true, name: true, prefix: true } })
    : [];
  const keyById = new Map(keys.map((k) => [k.id, k]));

  const items = page.map(({ apiKeyId, ...row }) => UsageRow.parse({ ...row, key: (apiKeyId && keyById.get(apiKeyId)) || null }));
  return { items, nextCursor };
}
