import { db } from "@/lib/db";
import type { UserCtx } from "@/lib/context";
import { AppError } from "@/lib/errors";

export interface Balance {
  accountId: string;
  balanceMicros: bigint;
  reservedMicros: bigint;
  availableMicros: bigint;
}

export async function getBalance({ ctx }: { ctx: Pick<UserCtx, "userId"> }): Promise<Balance> {
  const account = await db.account.findUnique({
    where: { userId: ctx.userId },
    select: { id: true, balanceMicros: true, reservedMicros: true },
  });
  if (!account) throw new AppError("not_found", "No account for this user");
  return {
    accountId: account.id,
    balanceMicros: account.balanceMicros,
    reservedMicros: account.reservedMicros,
    availableMicros: account.balanceMicros - account.reservedMicros,
  };
}
