import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import { release } from "@/lib/billing/holds";
import { assertAdmin } from "./assert-admin";

/** Releases a stuck hold now (the sweeper would at its expiry). Releasing one already closed does nothing. */
export async function releaseHold({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { holdId: string; ip?: string | null } }) {
  const admin = await assertAdmin(ctx);
  if (!/^[0-9a-f-]{36}$/i.test(input.holdId)) throw new AppError("not_found", "No such hold");
  const hold = await db.hold.findUnique({ where: { id: input.holdId }, include: { account: { select: { userId: true } } } });
  if (!hold) throw new AppError("not_found", "No such hold");
  // release() is one atomic statement (lib/billing); the audit row follows it.
  const released = await release({ holdId: hold.id });
  if (released) {
    await recordAudit(db, {
      actorId: admin.userId,
      action: "hold.released",
      targetType: "hold",
      targetId: hold.id,
      before: { status: hold.status, amountMicros: hold.amountMicros, requestId: hold.requestId, userId: hold.account.userId },
      after: { status: "RELEASED" },
      ip: input.ip,
    });
  }
  return { released, userId: hold.account.userId };
}
