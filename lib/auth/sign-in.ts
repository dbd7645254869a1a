import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { env, isAdminEmail } from "@/lib/env.js";
import { consume, refund } from "@/lib/rate-limit";
import { DUMMY_HASH, verifyPassword } from "./password";
import { SignInInput } from "./schemas";

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null; role: "USER" | "ADMIN" } }
  | { ok: false; reason: "invalid" | "rate_limited" | "disabled"; retryAfterSeconds?: number };

/**
 * Checks an email and password. Failed attempts are limited per email and, more loosely (people share
 * addresses), per client address, across all instances, so guessing is slow whichever way it is spread.
 */
export async function signIn(input: { email: unknown; password: unknown; ip: string }): Promise<SignInResult> {
  const parsed = SignInInput.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;
  const limits = [
    { key: `email:${email}`, max: env.SIGNIN_MAX_ATTEMPTS },
    { key: `ip:${input.ip}`, max: env.SIGNIN_MAX_ATTEMPTS_PER_ADDRESS },
  ];
  for (const { key, max } of limits) {
    const limit = await consume("signin", key, max, env.SIGNIN_WINDOW_SECONDS);
    if (!limit.allowed) return { ok: false, reason: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  }
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabledAt: true },
  });
  const valid = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
  if (!user || !valid || user.disabledAt) {
    const reason = user && valid ? "disabled" : "invalid";
    await recordAudit(db, { actorId: user?.id ?? null, actorLabel: email, action: "auth.sign_in_failed", targetType: "user", targetId: user?.id ?? null, after: { reason }, ip: input.ip }).catch((error: unknown) => {
      console.error("[auth] could not record a failed sign-in", error);
    });
    return { ok: false, reason };
  }
  // ADMIN_EMAILS: the listed people become administrators when they sign in.
  if (user.role !== "ADMIN" && isAdminEmail(user.email)) {
    await db.user.update({ where: { id: user.id }, data: { role: "ADMIN" } });
    await recordAudit(db, { actorId: null, actorLabel: "ADMIN_EMAILS", action: "user.promoted", targetType: "user", targetId: user.id, before: { role: user.role }, after: { role: "ADMIN" } });
    user.role = "ADMIN";
  }
  // Only failures count against the limits: a right password gives its attempt back.
  await Promise.all(limits.map(({ key, max }) => refund("signin", key, max, env.SIGNIN_WINDOW_SECONDS)));
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
