// GET /api/tasks/{id}/content — a task's result for the signed-in owner (previews and downloads in the portal)
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { taskContentResponse } from "@/lib/gateway/tasks/content";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { message: "Sign in to see this result.", code: "unauthorized" } }, { status: 401 });
  try {
    const url = new URL(request.url);
    return await taskContentResponse({
      ctx: { userId: user.userId },
      input: { id: (await params).id, range: request.headers.get("range"), download: url.searchParams.get("download") === "1" },
    });
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: { message: error.message, code: error.code } }, { status: error.status });
    throw error;
  }
}
