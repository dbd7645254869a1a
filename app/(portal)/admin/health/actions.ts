"use server";

import { revalidatePath } from "next/cache";
import type { FormState } from "@/components/admin/form-state";
import { runLedgerCheck } from "@/lib/admin/run-ledger-check";
import { requireAdmin } from "@/lib/auth/require-admin";

export async function runLedgerCheckAction(_previous: FormState, _form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  try {
    const result = await runLedgerCheck({ ctx: admin });
    revalidatePath("/admin/health");
    return result.ok
      ? { status: "ok", message: `All ${result.accounts} accounts are consistent.` }
      : { status: "error", error: `The check found ${result.violations.length} violation(s); see the list below.` };
  } catch (error) {
    console.error("[admin] ledger check failed", error);
    return { status: "error", error: "The check could not run. Please try again." };
  }
}
