// The task object of API.md, and the signed, expiring content URL a browser can play.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env.js";
import type { Task } from "@/generated/prisma/client";
import { moneyPair } from "@/lib/money";
import { TaskError } from "./schema";

export type TaskRow = Omit<Task, "input" | "error"> & { error: unknown };

export function newTaskId(): string {
  return `task_${randomBytes(12).toString("hex")}`;
}

const unix = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

export function taskObject(t: TaskRow, origin: string) {
  const error = TaskError.safeParse(t.error);
  const hasResult = t.status === "SUCCEEDED" && t.resultContentType !== null && t.resultExpiresAt !== null;
  return {
    id: t.id,
    object: "task" as const,
    kind: t.kind === "VIDEO" ? ("video" as const) : ("music" as const),
    model: t.modelId,
    status: t.status.toLowerCase() as "queued" | "running" | "succeeded" | "failed" | "canceled",
    created_at: unix(t.createdAt)!,
    completed_at: unix(t.completedAt),
    result: hasResult
      ? { url: signedContentUrl(origin, t.id, t.resultExpiresAt!), content_type: t.resultContentType!, bytes: t.resultBytes ?? 0, expires_at: unix(t.resultExpiresAt)! }
      : null,
    error: error.success ? error.data : null,
    ...moneyPair("cost", t.costMicros),
  };
}
export type TaskObject = ReturnType<typeof taskObject>;

// The signing key is derived from NEXTAUTH_SECRET (never the secret itself); tests and a bare dev run
// without it fall back to a fixed development key, refused in production.
function signingKey(): Buffer {
  const secret = env.NEXTAUTH_SECRET ?? (env.NODE_ENV === "production" ? null : "meterway-development-only");
  if (!secret) throw new Error("NEXTAUTH_SECRET must be set in production (it signs task content URLs)");
  return createHmac("sha256", secret).update("meterway:task-content:v1").digest();
}

function signature(id: string, expires: number): string {
  return createHmac("sha256", signingKey()).update(`${id}.${expires}`).digest("base64url");
}

/** `.../v1/tasks/{id}/content?expires=…&sig=…`, valid until the result expires. */
export function signedContentUrl(origin: string, id: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${origin}/v1/tasks/${id}/content?expires=${expires}&sig=${signature(id, expires)}`;
}

export function verifyContentSignature(id: string, expires: string | null, sig: string | null): boolean {
  if (!expires || !sig || !/^\d{1,12}$/.test(expires)) return false;
  if (Number(expires) * 1000 < Date.now()) return false;
  const expected = Buffer.from(signature(id, Number(expires)));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The origin a request reached us at (behind a proxy: x-forwarded-host/-proto). */
export function originOf(req: Request): string {
  const first = (v: string | null) => v?.split(",")[0]?.trim() || undefined;
  const url = new URL(req.url);
  const host = first(req.headers.get("x-forwarded-host")) ?? first(req.headers.get("host")) ?? url.host;
  const proto = first(req.headers.get("x-forwarded-proto")) ?? url.protocol.replace(":", "");
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

/** The path segment at `index` from the end of a /v1/tasks/{id}/... URL. */
export function taskIdFromUrl(req: Request, fromEnd: number): string {
  const parts = new URL(req.url).pathname.split("/").filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1 - fromEnd] ?? "");
}
