import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";

interface ProviderRow {
  provider_id: string | null;
  total: bigint;
  failed: bigint;
}

/** What an operator checks first: stuck money, tasks in flight, webhook backlog, the last ledger check, provider errors. */
export async function getHealth({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  await assertAdmin(ctx);
  const dayAgo = new Date(Date.now() - 86_400_000);
  const [holds, oldest, inFlight, finished, webhooksPending, webhooksFailed, lastCheck, providers] = await Promise.all([
    db.hold.aggregate({ where: { status: "ACTIVE" }, _count: true, _sum: { amountMicros: true } }),
    db.hold.findFirst({ where: { status: "ACTIVE" }, orderBy: { createdAt: "asc" }, select: { createdAt: true, expiresAt: true } }),
    db.task.groupBy({ by: ["status"], where: { status: { in: ["QUEUED", "RUNNING"] } }, _count: true }),
    db.task.groupBy({ by: ["status"], where: { status: { in: ["SUCCEEDED", "FAILED", "CANCELED"] }, createdAt: { gt: dayAgo } }, _count: true }),
    db.webhookEvent.count({ where: { processedAt: null, error: null } }),
    db.webhookEvent.count({ where: { error: { not: null } } }),
    db.ledgerCheck.findFirst({ orderBy: { id: "desc" } }),
    // Failed requests are recorded without a provider; their model says which provider it was.
    db.$queryRaw<ProviderRow[]>`
      SELECT COALESCE(u.provider_id, m.provider_id) AS provider_id, count(*) AS total,
             count(*) FILTER (WHERE u.status = 'FAILED') AS failed
      FROM usage_records u LEFT JOIN models m ON m.id = u.model_id
      WHERE u.created_at > now() - interval '1 hour'
      GROUP BY 1 ORDER BY 1`,
  ]);
  return {
    activeHolds: holds._count,
    reservedMicros: holds._sum.amountMicros ?? 0n,
    oldestHold: oldest,
    /** Async tasks now queued or running, and those submitted in the last 24 h that have finished, by status. */
    tasks: Object.fromEntries([...inFlight, ...finished].map((t) => [t.status, t._count])) as Partial<Record<"QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED", number>>,
    webhooksPending,
    webhooksFailed,
    lastCheck,
    providers: providers.map((p) => ({ providerId: p.provider_id ?? "unknown", total: Number(p.total), failed: Number(p.failed) })),
  };
}
