// Every admin verb starts here. The session's role is only a hint: the role is read again from the
// database, so a demoted or disabled admin loses access at once. Anyone else sees "not found", not
// "forbidden": the admin console does not admit it exists.
import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

export interface AdminActor {
  userId: string;
  email: string;
}

export async function assertAdmin(ctx: Pick<UserCtx, "userId"> | null | undefined): Promise<AdminActor> {
  const user = ctx?.userId
    ? await db.user.findUnique({ where: { id: ctx.userId }, select: { id: true, email: true, role: true, disabledAt: true } }).catch(() => null)
    : null;
  if (!user || user.role !== "ADMIN" || user.disabledAt) throw new AppError("not_found", "Not found");
  return { userId: user.id, email: user.email };
}
