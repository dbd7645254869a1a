import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";

/** Customers whose email contains `q`, or who own a key whose prefix starts with `q`; newest first. */
export async function searchCustomers({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { q?: string; limit?: number } }) {
  await assertAdmin(ctx);
  const q = (input.q ?? "").trim().slice(0, 200);
  const keyPrefix = q.replace(/…$/, "");
  const users = await db.user.findMany({
    where: q
      ? { OR: [{ email: { contains: q.toLowerCase(), mode: "insensitive" } }, { apiKeys: { some: { prefix: { startsWith: keyPrefix } } } }] }
      : {},
    orderBy: { createdAt: "desc" },
    take: Math.min(input.limit ?? 50, 200),
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      disabledAt: true,
      createdAt: true,
      account: { select: { balanceMicros: true, reservedMicros: true } },
      _count: { select: { apiKeys: true } },
    },
  });
  return users;
}
