// The Tasks view's JSON (session-authenticated): the user's tasks with links to the portal's own
// content route (the session, not a signed URL, authorizes the preview).
import { listOwnTasks } from "./list-tasks";
import { taskObject } from "./task-object";

export async function portalTasks({ ctx, input }: { ctx: { userId: string }; input: { limit: number; after?: string } }) {
  const page = await listOwnTasks({ ctx, input });
  return {
    items: page.tasks.map((t) => {
      const o = taskObject(t, "");
      return {
        ...o,
        result: o.result ? { ...o.result, url: `/api/tasks/${t.id}/content` } : null,
      };
    }),
    has_more: page.hasMore,
    next_cursor: page.nextCursor,
  };
}
export type PortalTask = Awaited<ReturnType<typeof portalTasks>>["items"][number];
