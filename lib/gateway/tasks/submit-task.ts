// POST /v1/videos and /v1/music: hold the task's price, record the task, answer with the task object.
// The runner (runner.ts) does the work. Idempotency-Key: the same key and body return the same task
// (charged once); the same key with another body is a 409.
import { createHash } from "node:crypto";
import { release, reserve } from "@/lib/billing/holds";
import { db } from "@/lib/db";
import { env } from "@/lib/env.js";
import { AppError } from "@/lib/errors";
import { invalidRequest, json, readJsonBody } from "../http";
import { refused, usableModel } from "../pipeline";
import type { GatewayCtx } from "../route";
import { endpointOf } from "./finish-task";
import { mediaProviderFor } from "./media/registry";
import { wakeRunner } from "./runner";
import { MusicRequest, VideoRequest, type StoredInput } from "./schema";
import { newTaskId, originOf, taskObject } from "./task-object";

export const submitVideo = (ctx: GatewayCtx) => submitTask(ctx, "VIDEO");
export const submitMusic = (ctx: GatewayCtx) => submitTask(ctx, "MUSIC");

/** JSON with sorted keys, so the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function replay(userId: string, key: string, hash: string, origin: string): Promise<Response | null> {
  const existing = await db.task.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey: key } } });
  if (!existing) return null;
  if (existing.requestHash !== hash) {
    throw new AppError("conflict", "This Idempotency-Key was already used with a different request body.");
  }
  return json(taskObject(existing, origin), { headers: { "idempotent-replayed": "true" } });
}

export async function submitTask(ctx: GatewayCtx, kind: "VIDEO" | "MUSIC"): Promise<Response> {
  const raw = await readJsonBody(ctx.req, env.MAX_BODY_BYTES);
  const origin = originOf(ctx.req);
  const idempotencyKey = ctx.req.headers.get("idempotency-key")?.trim() || null;
  if (idempotencyKey && idempotencyKey.length > 255) {
    throw new AppError("invalid_request", "The Idempotency-Key header is longer than 255 characters.", { param: "Idempotency-Key" });
  }
  const hash = createHash("sha256").update(`${kind}\n${canonical(raw)}`).digest("hex");
  if (idempotencyKey) {
    const replayed = await replay(ctx.key.userId, idempotencyKey, hash, origin);
    if (replayed) return replayed;
  }

  const parsed = kind === "VIDEO" ? VideoRequest.safeParse(raw) : MusicRequest.safeParse(raw);
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  const body = parsed.data;
  const model = await usableModel(ctx, body.model, kind);
  if (!mediaProviderFor(model)) throw new AppError("invalid_request", `${model.id} cannot run ${kind === "VIDEO" ? "video" : "music"} tasks.`, { param: "model" });

  const price = model.perTaskMicros ?? 0n;
  const id = newTaskId();
  const hold = await reserve({
    accountId: ctx.key.accountId,
    apiKeyId: ctx.key.id,
    requestId: id,
    maxMicros: price,
    minMicros: price,
    model: { id: model.id, type: model.type },
    endpoint: endpointOf(kind),
    ttlSeconds: env.TASK_HOLD_TTL_SECONDS,
  });
  if (!hold.ok) {
    // A concurrent duplicate may hold the price already: answer its task rather than a 402.
    const replayed = idempotencyKey ? await replay(ctx.key.userId, idempotencyKey, hash, origin) : null;
    if (replayed) return replayed;
    throw refused(hold);
  }

  const input: StoredInput = {
    prompt: body.prompt,
    ...("seconds" in body && body.seconds !== undefined ? { seconds: body.seconds } : {}),
    ...("duration" in body && body.duration !== undefined ? { seconds: body.duration } : {}),
    ...("size" in body && body.size !== undefined ? { size: body.size } : {}),
    origin,
  };
  // ON CONFLICT DO NOTHING: a concurrent submit with the same Idempotency-Key won; give its task back.
  const created = await db.task.createMany({
    data: [{
      id,
      userId: ctx.key.userId,
      accountId: ctx.key.accountId,
      apiKeyId: ctx.key.id,
      kind,
      modelId: model.id,
      input,
      requestHash: hash,
      idempotencyKey,
      holdId: hold.holdId,
      priceMicros: price,
      providerId: model.providerId,
      callbackUrl: body.callback_url ?? null,
      deadlineAt: new Date(Date.now() + env.TASK_TIMEOUT_SECONDS * 1000),
    }],
    skipDuplicates: true,
  });
  if (created.count === 0) {
    await release({ holdId: hold.holdId });
    const replayed = idempotencyKey ? await replay(ctx.key.userId, idempotencyKey, hash, origin) : null;
    if (replayed) return replayed;
    throw new Error(`task ${id} was not created`);
  }
  wakeRunner();
  const task = await db.task.findUniqueOrThrow({ where: { id } });
  return json(taskObject(task, origin));
}
