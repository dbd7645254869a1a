// GET /api/tasks — the signed-in user's async tasks as JSON (the Tasks view polls it while tasks run)
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { portalTasks } from "@/lib/gateway/tasks/portal-tasks";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { message: "Sign in to see your tasks.", code: "unauthorized" } }, { status: 401 });
  const url = new URL(request.url);
  const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit")) || 50));
  try {
    return Response.json(await portalTasks({ ctx: { userId: user.userId }, input: { limit, after: url.searchParams.get("after") ?? undefined } }));
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: { message: error.message, code: error.code } }, { status: error.status });
    throw error;
  }
}
