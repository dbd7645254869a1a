// The task runner: advances async media tasks one step at a time under a row lease, so any number of
// app instances on one database never work on one task at once. A step is: submit the job (its id is
// stored, so a restarted runner resumes polling rather than resubmitting), or poll it and finish the
// task. A task past its deadline fails with error.code "timeout" and its hold is released.
import { randomBytes } from "node:crypto";
import { db, Prisma } from "@/lib/db";
import { env } from "@/lib/env.js";
import type { Task } from "@/generated/prisma/client";
import { findModel } from "../models";
import { ProviderError } from "../providers/types";
import { deliverCallback } from "./callbacks";
import { closeSucceeded, closeUnpaid } from "./finish-task";
import { mediaProviderFor } from "./media/registry";
import type { MediaJob } from "./media/types";
import { StoredInput } from "./schema";

export interface RunnerOptions {
  /** Who holds the lease (one per process by default). */
  owner?: string;
  /** How long a claimed task is ours; a dead runner's tasks are picked up again after it. */
  leaseMs?: number;
  pollIntervalMs?: number;
}

const g = globalThis as unknown as { __mwRunnerOwner?: string; __mwRunnerWake?: () => void };
const processOwner = () => (g.__mwRunnerOwner ??= `runner-${process.pid}-${randomBytes(4).toString("hex")}`);

/** Lets the background loop (lib/jobs.ts) start at once when a task is submitted on this instance. */
export function wakeRunner(): void {
  g.__mwRunnerWake?.();
}
export function onWake(fn: (() => void) | undefined): void {
  g.__mwRunnerWake = fn;
}

async function claim(owner: string, leaseMs: number): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
    UPDATE tasks SET lease_owner = ${owner}, lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE id = (
      SELECT id FROM tasks
      WHERE status IN ('QUEUED', 'RUNNING')
        AND (lease_expires_at IS NULL OR lease_expires_at < now())
        AND (next_poll_at <= now() OR deadline_at <= now())
      ORDER BY LEAST(next_poll_at, deadline_at)
      FOR UPDATE SKIP LOCKED
      LIMIT 1
    )
    RETURNING id`);
  return rows[0]?.id ?? null;
}

/** Claims one due task and advances it by one step. True when there was a task. */
export async function runOnce(options: RunnerOptions = {}): Promise<boolean> {
  const owner = options.owner ?? processOwner();
  const leaseMs = options.leaseMs ?? 120_000;
  const id = await claim(owner, leaseMs);
  if (!id) return false;
  const task = await db.task.findUniqueOrThrow({ where: { id } });
  // Provider calls must end well inside the lease, or another runner could take the task meanwhile.
  const signal = AbortSignal.timeout(Math.max(500, leaseMs * 0.8));
  try {
    const finished = await step(task, owner, options.pollIntervalMs ?? env.TASK_POLL_INTERVAL_MS, signal);
    if (finished) await deliverCallback(task.id);
  } catch (error) {
    console.error(`[tasks] ${task.id} step failed:`, (error as Error).message);
    await retryLater(task, owner, null);
  }
  return true;
}

/** Returns true when the task was closed by this step. */
async function step(task: Task, owner: string, pollMs: number, signal: AbortSignal): Promise<boolean> {
  if (task.deadlineAt.getTime() <= Date.now()) {
    return closeUnpaid(task, { status: "FAILED", error: { code: "timeout", message: "The task did not finish before its deadline; nothing was charged." } }, owner);
  }
  const model = await findModel(task.modelId);
  const media = model ? mediaProviderFor(model) : null;
  if (!model || !media) {
    return closeUnpaid(task, { status: "FAILED", error: { code: "model_unavailable", message: `The model '${task.modelId}' is no longer available.` } }, owner);
  }
  const input = StoredInput.parse(task.input);
  const job: MediaJob = { taskId: task.id, kind: task.kind, model, prompt: input.prompt, seconds: input.seconds, size: input.size };
  try {
    if (!task.providerJobId) {
      const marked = await db.task.updateMany({
        where: { id: task.id, leaseOwner: owner, status: { in: ["QUEUED", "RUNNING"] } },
        data: { status: "RUNNING", startedAt: task.startedAt ?? new Date(), submissions: { increment: 1 } },
      });
      if (marked.count === 0) return false;
      const { jobId } = await media.submit(job, signal);
      await db.task.updateMany({
        where: { id: task.id, leaseOwner: owner },
        data: { providerJobId: jobId, attempts: 0, nextPollAt: new Date(Date.now() + pollMs), leaseOwner: null, leaseExpiresAt: null },
      });
      return false;
    }
    const polled = await media.poll(job, task.providerJobId, signal);
    if (polled.state === "pending") {
      await db.task.updateMany({
        where: { id: task.id, leaseOwner: owner },
        data: { nextPollAt: new Date(Date.now() + pollMs), attempts: 0, leaseOwner: null, leaseExpiresAt: null },
      });
      return false;
    }
    if (polled.state === "failed") {
      return closeUnpaid(task, { status: "FAILED", error: { code: polled.code, message: polled.message } }, owner);
    }
    return closeSucceeded(task, polled, owner, { providerId: model.providerId, upstreamModel: model.upstreamModel });
  } catch (error) {
    if (error instanceof ProviderError && isPermanent(error)) {
      return closeUnpaid(task, { status: "FAILED", error: { code: "upstream_error", message: `The model provider refused the task: ${error.message}` } }, owner);
    }
    if (!(error instanceof ProviderError)) throw error;
    console.warn(`[tasks] ${task.id}: provider error, will retry: ${error.message}`);
    await retryLater(task, owner, error);
    return false;
  }
}

/** A provider's 4xx (other than 408/409/429) will not get better by retrying. */
function isPermanent(error: ProviderError): boolean {
  const f = error.failure;
  return f.kind === "http" && f.status >= 400 && f.status < 500 && ![408, 409, 429].includes(f.status);
}

/** Backs off 2^attempts seconds (at most a minute); the deadline still applies. */
async function retryLater(task: Task, owner: string, _error: ProviderError | null): Promise<void> {
  const delayMs = Math.min(60_000, 1000 * 2 ** Math.min(task.attempts, 6));
  await db.task.updateMany({
    where: { id: task.id, leaseOwner: owner },
    data: { attempts: { increment: 1 }, nextPollAt: new Date(Date.now() + delayMs), leaseOwner: null, leaseExpiresAt: null },
  });
}

/** Deletes result bytes past their expiry (the task keeps its metadata; its content answers 410). */
export async function purgeExpiredResults(): Promise<number> {
  return db.$executeRaw`
    DELETE FROM task_results r USING tasks t
    WHERE r.task_id = t.id AND t.result_expires_at < now()`;
}

/** Whether any task is open (the background loop polls fast while there is work). */
export async function hasOpenTasks(): Promise<boolean> {
  return (await db.task.count({ where: { status: { in: ["QUEUED", "RUNNING"] } }, take: 1 })) > 0;
}
