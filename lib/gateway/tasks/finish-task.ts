// Closing a task. The status flip is conditional (only an open task, and for a runner only under its
// lease), so exactly one of success / failure / cancel / timeout wins; only the winner touches the
// hold. A crash between the flip and the hold leaves the hold to expire and be swept: never a charge
// without delivery.
import { release, settle } from "@/lib/billing/holds";
import { db, Prisma } from "@/lib/db";
import { env } from "@/lib/env.js";
import type { Task } from "@/generated/prisma/client";
import type { TaskError } from "./schema";

const OPEN = ["QUEUED", "RUNNING"] as const;
export const endpointOf = (kind: Task["kind"]) => (kind === "VIDEO" ? "videos" : "music");

/** Fails (or cancels) an open task and releases its hold with a FAILED usage record. False if it was no longer open. */
export async function closeUnpaid(
  task: Task,
  outcome: { status: "FAILED" | "CANCELED"; error: TaskError },
  leaseOwner?: string,
): Promise<boolean> {
  const closed = await db.task.updateMany({
    where: { id: task.id, status: { in: [...OPEN] }, ...(leaseOwner ? { leaseOwner } : {}) },
    data: { status: outcome.status, error: outcome.error, completedAt: new Date(), leaseOwner: null, leaseExpiresAt: null, costMicros: 0n },
  });
  if (closed.count === 0) return false;
  if (task.holdId) {
    await release({
      holdId: task.holdId,
      failure: {
        requestId: task.id,
        modelId: task.modelId,
        endpoint: endpointOf(task.kind),
        stream: false,
        latencyMs: Date.now() - task.createdAt.getTime(),
        note: `${outcome.error.code}: ${outcome.error.message}`.slice(0, 500),
      },
    });
  }
  return true;
}

/** Stores the result, marks the task succeeded and charges exactly its price. False if it was no longer open. */
export async function closeSucceeded(
  task: Task,
  result: { content: Buffer; contentType: string },
  leaseOwner: string,
  upstream: { providerId: string; upstreamModel: string },
): Promise<boolean> {
  const completedAt = new Date();
  const expiresAt = new Date(completedAt.getTime() + env.TASK_RESULT_TTL_SECONDS * 1000);
  // The bytes first, so a succeeded task always has its content.
  await db.taskResult.upsert({
    where: { taskId: task.id },
    create: { taskId: task.id, content: new Uint8Array(result.content) },
    update: { content: new Uint8Array(result.content) },
  });
  const closed = await db.task.updateMany({
    where: { id: task.id, status: { in: [...OPEN] }, leaseOwner },
    data: {
      status: "SUCCEEDED", completedAt, leaseOwner: null, leaseExpiresAt: null,
      resultContentType: result.contentType, resultBytes: result.content.length, resultExpiresAt: expiresAt,
    },
  });
  if (closed.count === 0) {
    await db.taskResult.deleteMany({ where: { taskId: task.id, task: { status: { not: "SUCCEEDED" } } } });
    return false;
  }
  if (!task.holdId) return true;
  const settled = await settle({
    holdId: task.holdId,
    requestId: task.id,
    costMicros: task.priceMicros,
    usage: {
      modelId: task.modelId,
      endpoint: endpointOf(task.kind),
      status: "SUCCEEDED",
      inputTokens: 0,
      outputTokens: 0,
      units: 1,
      unitPriceMicros: task.priceMicros,
      stream: false,
      latencyMs: completedAt.getTime() - task.createdAt.getTime(),
      providerId: upstream.providerId,
      upstreamModel: upstream.upstreamModel,
    },
    description: `${task.modelId} · 1 ${task.kind === "VIDEO" ? "video" : "music"} task`,
  });
  void settled.followUp;
  if (settled.settled) {
    await db.task.update({ where: { id: task.id }, data: { costMicros: settled.costMicros } });
  } else {
    // The hold was already gone (expired and swept while no runner ran): delivered without a charge.
    console.warn(`[tasks] ${task.id} succeeded after its hold closed; not charged`);
  }
  return true;
}

export function isUniqueViolation(error: unknown): boolean {
  return (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") || /unique constraint|23505/i.test(String((error as Error)?.message));
}
