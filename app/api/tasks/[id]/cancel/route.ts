// POST /api/tasks/{id}/cancel — the signed-in user cancels one of their open tasks (hold released)
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { cancelOwnTask } from "@/lib/gateway/tasks/cancel-task";

export const dynamic = "force-dynamic";

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { message: "Sign in to cancel tasks.", code: "unauthorized" } }, { status: 401 });
  try {
    const task = await cancelOwnTask({ ctx: { userId: user.userId }, input: { id: (await params).id } });
    return Response.json({ id: task.id, status: task.status.toLowerCase() });
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: { message: error.message, code: error.code } }, { status: error.status });
    throw error;
  }
}
