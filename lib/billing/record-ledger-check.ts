// Runs the ledger check and keeps its result (table ledger_checks), so the health page can show the last one.
import { db, Prisma } from "@/lib/db";
import { checkLedger } from "./check-ledger";

export async function recordLedgerCheck(input: { source: "cli" | "admin"; actor?: string | null }) {
  const result = await checkLedger();
  const row = await db.ledgerCheck.create({
    data: {
      ok: result.ok,
      accounts: result.accounts,
      violations: result.violations as unknown as Prisma.InputJsonValue,
      source: input.source,
      actor: input.actor ?? null,
    },
    select: { id: true, createdAt: true },
  });
  return { ...result, id: row.id, checkedAt: row.createdAt };
}
