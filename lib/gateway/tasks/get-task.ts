// GET /v1/tasks/{id} — the key owner's task; anyone else's is "not found" (never revealed).
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { json } from "../http";
import type { GatewayCtx } from "../route";
import { originOf, taskIdFromUrl, taskObject } from "./task-object";

export async function findOwnTask({ ctx, input }: { ctx: { userId: string }; input: { id: string } }) {
  const task = input.id.startsWith("task_") ? await db.task.findFirst({ where: { id: input.id, userId: ctx.userId } }) : null;
  if (!task) throw new AppError("not_found", `No task with id '${input.id}'.`, { param: "id" });
  return task;
}

export async function getTask(ctx: GatewayCtx): Promise<Response> {
  const task = await findOwnTask({ ctx: { userId: ctx.key.userId }, input: { id: taskIdFromUrl(ctx.req, 0) } });
  return json(taskObject(task, originOf(ctx.req)));
}
