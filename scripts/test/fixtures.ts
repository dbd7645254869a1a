// Test fixtures: real users, accounts and keys, made through the same verbs the app uses.
import { randomBytes } from "node:crypto";
import { signUp } from "@/lib/auth/sign-up";
import { postEntryOnce } from "@/lib/billing/ledger";
import { createKey } from "@/lib/keys/create-key";
import { db } from "@/lib/db";

export async function createFunded(balanceMicros: bigint, keyInput: { spendLimitMicros?: bigint | null; allowedModels?: string[] } = {}) {
  const email = `user-${randomBytes(5).toString("hex")}@example.test`;
  const user = await signUp({ input: { email, password: "correct horse battery" } });
  const account = await db.account.findUniqueOrThrow({ where: { userId: user.id } });
  if (balanceMicros > 0n) {
    await postEntryOnce({
      accountId: account.id,
      kind: "ADJUSTMENT",
      amountMicros: balanceMicros,
      reference: `test-grant:${randomBytes(8).toString("hex")}`,
      description: "test grant",
    });
  }
  const { key, record } = await createKey({ ctx: { userId: user.id }, input: { name: "test", ...keyInput } });
  return { user, email, account, key, keyId: record.id };
}

export async function accountState(accountId: string) {
  const a = await db.account.findUniqueOrThrow({ where: { id: accountId } });
  return { balance: a.balanceMicros, reserved: a.reservedMicros, available: a.balanceMicros - a.reservedMicros };
}
