import { recordLedgerCheck } from "@/lib/billing/record-ledger-check";
import type { UserCtx } from "@/lib/context";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { assertAdmin } from "./assert-admin";

/** The health page's "Run now": checks every account and keeps the result. */
export async function runLedgerCheck({ ctx }: { ctx: Pick<UserCtx, "userId"> }) {
  const admin = await assertAdmin(ctx);
  const result = await recordLedgerCheck({ source: "admin", actor: admin.email });
  await recordAudit(db, {
    actorId: admin.userId,
    action: "ledger.checked",
    targetType: "ledger_check",
    targetId: result.id.toString(),
    after: { ok: result.ok, accounts: result.accounts, violations: result.violations.length },
  });
  return result;
}
