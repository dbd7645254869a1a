import { assertAdmin } from "@/lib/admin/assert-admin";
import { parseInput } from "@/lib/admin/parse-input";
import { AuditFilter } from "@/lib/admin/schemas";
import type { UserCtx } from "@/lib/context";
import { db, type Prisma } from "@/lib/db";

/** Audit events, newest first, filtered by action (prefix), actor (label or id), target (type or id) and date. */
export async function listAudit({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: AuditFilter }) {
  await assertAdmin(ctx);
  const f = parseInput(AuditFilter, input);
  const isUuid = (v: string) => /^[0-9a-f-]{36}$/i.test(v);
  const where: Prisma.AuditEventWhereInput = {
    AND: [
      f.action ? { action: { startsWith: f.action } } : {},
      f.actor ? (isUuid(f.actor) ? { actorId: f.actor } : { actorLabel: { contains: f.actor, mode: "insensitive" } }) : {},
      f.target ? { OR: [{ targetId: f.target }, { targetType: f.target }] } : {},
      f.from ? { createdAt: { gte: f.from } } : {},
      f.to ? { createdAt: { lt: f.to } } : {},
      f.before !== undefined ? { id: { lt: f.before } } : {},
    ],
  };
  const rows = await db.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: f.limit + 1 });
  const events = rows.slice(0, f.limit);
  return { events, nextBefore: rows.length > f.limit ? events[events.length - 1]!.id : null };
}

/** The distinct actions recorded so far, for the filter's choices. */
export async function listAuditActions({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  await assertAdmin(ctx);
  const rows = await db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}
