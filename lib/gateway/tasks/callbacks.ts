// Optional per-task webhook: when a task with a callback_url finishes, POST its task object there,
// signed with the owner's secret: `x-meterway-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
// Three tries a few seconds apart; the outcome is recorded on the task (callback_attempts, callback_delivered_at).
import { createHmac, randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { request } from "undici";
import { db } from "@/lib/db";
import { env } from "@/lib/env.js";
import { StoredInput } from "./schema";
import { taskObject } from "./task-object";

/** The user's callback-signing secret, created on first use. */
export async function taskWebhookSecret(userId: string): Promise<string> {
  const candidate = `whsec_${randomBytes(24).toString("hex")}`;
  const rows = await db.$queryRaw<{ secret: string }[]>`
    UPDATE users SET task_webhook_secret = COALESCE(task_webhook_secret, ${candidate})
    WHERE id = ${userId}::uuid RETURNING task_webhook_secret AS secret`;
  if (!rows[0]) throw new Error(`no user ${userId}`);
  return rows[0].secret;
}

export function signCallback(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac("sha256", secret).update(`${at}.${body}`).digest("hex")}`;
}

const PRIVATE_V4 = [/^10\./, /^127\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^0\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];

/** Whether an address is on this machine or a private network (never a callback target in production). */
export function isPrivateAddress(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return PRIVATE_V4.some((re) => re.test(v4));
  const v6 = address.toLowerCase();
  return v6 === "::1" || v6 === "::" || v6.startsWith("fc") || v6.startsWith("fd") || v6.startsWith("fe80");
}

/** In production, callbacks only go to public addresses, so a task cannot be used to reach internal services. */
async function allowedTarget(url: string): Promise<boolean> {
  if (env.NODE_ENV !== "production") return true;
  try {
    const { hostname } = new URL(url);
    const addresses = await lookup(hostname.replace(/^\[|\]$/g, ""), { all: true });
    return addresses.length > 0 && addresses.every((a) => !isPrivateAddress(a.address));
  } catch {
    return false;
  }
}

export async function deliverCallback(taskId: string, retryDelaysMs = [1000, 3000]): Promise<boolean> {
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task?.callbackUrl || task.callbackDeliveredAt) return false;
  if (!(await allowedTarget(task.callbackUrl))) {
    await db.task.update({ where: { id: taskId }, data: { callbackAttempts: { increment: 1 } } });
    return false;
  }
  const input = StoredInput.safeParse(task.input);
  const body = JSON.stringify(taskObject(task, input.success ? input.data.origin : ""));
  const secret = await taskWebhookSecret(task.userId);
  for (let attempt = 0; attempt <= retryDelaysMs.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelaysMs[attempt - 1]));
    let ok = false;
    try {
      const res = await request(task.callbackUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-meterway-signature": signCallback(secret, body), "user-agent": "Meterway-Tasks/1" },
        body,
        headersTimeout: 5000,
        bodyTimeout: 5000,
        signal: AbortSignal.timeout(10_000),
      });
      await res.body.dump();
      ok = res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      ok = false;
    }
    await db.task.update({ where: { id: taskId }, data: { callbackAttempts: { increment: 1 }, ...(ok ? { callbackDeliveredAt: new Date() } : {}) } });
    if (ok) return true;
  }
  return false;
}
