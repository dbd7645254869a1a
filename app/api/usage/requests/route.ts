// GET /api/usage/requests — one page of the signed-in user's request log as JSON (for the portal's client islands)
import { getSessionUser } from "@/lib/auth/session";
import { isAppError, openAIErrorBody } from "@/lib/errors";
import { formatUsd, microsToNumber } from "@/lib/money";
import { parseRequestLogQuery } from "@/lib/usage/filter-params";
import { listUsage } from "@/lib/usage/list-usage";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { message: "Sign in to see your usage.", code: "unauthorized" } }, { status: 401 });
  // A malformed filter is a 400 naming it, never ignored (that would answer with rows the caller did not ask for).
  const query = parseRequestLogQuery(new URL(request.url).searchParams);
  if (!query.ok) return Response.json(openAIErrorBody(query.error), { status: query.error.status });
  const { filter, limit, cursor } = query;
  try {
    const page = await listUsage({ ctx: { userId: user.userId }, input: { ...filter, limit, cursor } });
    return Response.json({
      items: page.items.map((r) => ({
        id: r.id,
        request_id: r.requestId,
        created_at: r.createdAt.toISOString(),
        model: r.modelId,
        status: r.status,
        input_tokens: r.inputTokens,
        output_tokens: r.outputTokens,
        cost: formatUsd(r.costMicros),
        cost_micros: microsToNumber(r.costMicros),
        latency_ms: r.latencyMs,
        paid_by: r.paidBy.toLowerCase(),
        covered_micros: microsToNumber(r.coveredMicros),
        key: r.key,
      })),
      next_cursor: page.nextCursor,
    });
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: { message: error.message, code: error.code } }, { status: error.status });
    throw error;
  }
}
