// GET /v1/tasks — the key owner's tasks, newest first; `after` is the last id of the previous page.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { invalidRequest, json } from "../http";
import type { GatewayCtx } from "../route";
import { ListTasksInput } from "./schema";
import { originOf, taskObject } from "./task-object";

export async function listOwnTasks({ ctx, input }: { ctx: { userId: string }; input: ListTasksInput }) {
  let before: { createdAt: Date; id: string } | null = null;
  if (input.after) {
    before = await db.task.findFirst({ where: { id: input.after, userId: ctx.userId }, select: { createdAt: true, id: true } });
    if (!before) throw new AppError("invalid_request", `No task with id '${input.after}'.`, { param: "after" });
  }
  const rows = await db.task.findMany({
    where: {
      userId: ctx.userId,
      ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
  });
  const hasMore = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
  return { tasks: page, hasMore, nextCursor: hasMore ? page[page.length - 1]!.id : null };
}

export async function listTasks(ctx: GatewayCtx): Promise<Response> {
  const params = Object.fromEntries(new URL(ctx.req.url).searchParams);
  const parsed = ListTasksInput.safeParse(params);
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  const { tasks, hasMore, nextCursor } = await listOwnTasks({ ctx: { userId: ctx.key.userId }, input: parsed.data });
  const origin = originOf(ctx.req);
  return json({ object: "list", data: tasks.map((t) => taskObject(t, origin)), has_more: hasMore, next_cursor: nextCursor });
}
