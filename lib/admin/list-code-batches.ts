import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";

interface BatchRow {
  batch_id: string;
  amount_micros: bigint;
  expires_at: Date;
  created_by: string;
  created_at: Date;
  total: bigint;
  redeemed: bigint;
}

/** Recent batches of redemption codes with how many were redeemed. */
export async function listCodeBatches({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  await assertAdmin(ctx);
  const rows = await db.$queryRaw<BatchRow[]>`
    SELECT batch_id::text, min(amount_micros) AS amount_micros, min(expires_at) AS expires_at, min(created_by) AS created_by,
           min(created_at) AS created_at, count(*) AS total, count(redeemed_at) AS redeemed
    FROM redemption_codes GROUP BY batch_id ORDER BY min(created_at) DESC LIMIT 50`;
  return rows.map((r) => ({
    batchId: r.batch_id,
    amountMicros: r.amount_micros,
    expiresAt: r.expires_at,
    createdBy: r.created_by,
    createdAt: r.created_at,
    total: Number(r.total),
    redeemed: Number(r.redeemed),
  }));
}
