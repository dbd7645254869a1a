// POST /v1/tasks/{id}/cancel — stops an open task and releases its hold (nothing charged). Canceling a
// canceled task answers it again; a finished one is a 409.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { json } from "../http";
import type { GatewayCtx } from "../route";
import { closeUnpaid } from "./finish-task";
import { findOwnTask } from "./get-task";
import { originOf, taskIdFromUrl, taskObject } from "./task-object";

export async function cancelOwnTask({ ctx, input }: { ctx: { userId: string }; input: { id: string } }) {
  const task = await findOwnTask({ ctx, input });
  if (task.status === "QUEUED" || task.status === "RUNNING") {
    await closeUnpaid(task, { status: "CANCELED", error: { code: "canceled", message: "The task was canceled." } });
  }
  const now = await db.task.findUniqueOrThrow({ where: { id: task.id } });
  if (now.status === "SUCCEEDED" || now.status === "FAILED") {
    throw new AppError("conflict", `The task already ${now.status === "SUCCEEDED" ? "succeeded" : "failed"} and cannot be canceled.`);
  }
  return now;
}

export async function cancelTask(ctx: GatewayCtx): Promise<Response> {
  const task = await cancelOwnTask({ ctx: { userId: ctx.key.userId }, input: { id: taskIdFromUrl(ctx.req, 1) } });
  return json(taskObject(task, originOf(ctx.req)));
}
