import type { UserCtx } from "@/lib/context";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { assertAdmin } from "./assert-admin";

/** Everything support needs about one customer: balance, holds, keys, payments, recent usage and ledger. */
export async function getCustomer({ ctx, input }: { ctx: Pick<UserCtx, "userId">; input: { id: string } }) {
  await assertAdmin(ctx);
  if (!/^[0-9a-f-]{36}$/i.test(input.id)) throw new AppError("not_found", "No such customer");
  const user = await db.user.findUnique({
    where: { id: input.id },
    select: { id: true, email: true, name: true, role: true, disabledAt: true, createdAt: true, account: true },
  });
  if (!user || !user.account) throw new AppError("not_found", "No such customer");
  const accountId = user.account.id;
  const [holds, keys, payments, usage, ledger] = await Promise.all([
    db.hold.findMany({ where: { accountId, status: "ACTIVE" }, orderBy: { createdAt: "asc" }, take: 100 }),
    db.apiKey.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: "desc" },
      select: {
        id: true,
        name: true,
        prefix: true,
        environment: true,
        spendLimitMicros: true,
        spentMicros: true,
        reservedMicros: true,
        revokedAt: true,
        disabledAt: true,
        expiresAt: true,
        lastUsedAt: true,
        createdAt: true,
      },
    }),
    db.payment.findMany({ where: { userId: user.id }, orderBy: { createdAt: "desc" }, take: 50 }),
    db.usageRecord.findMany({ where: { accountId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 50 }),
    db.ledgerEntry.findMany({ where: { accountId }, orderBy: { id: "desc" }, take: 50 }),
  ]);
  const keyNames = new Map(keys.map((k) => [k.id, `${k.name} (${k.prefix}…)`]));
  return { user, account: user.account, holds, keys, payments, usage, ledger, keyNames };
}
