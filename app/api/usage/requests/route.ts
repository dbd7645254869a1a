// GET /api/usage/requests — one page of the signed-in user's request log as JSON (for the portal's client islands)
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { formatUsd, microsToNumber } from "@/lib/money";
import { readFilterParams, toUsageFilter } from "@/lib/usage/filter-params";
import { listUsage } from "@/lib/usage/list-usage";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { message: "Sign in to see your usage.", code: "unauthorized" } }, { status: 401 });
  const url = new URL(request.url);
  const filter = toUsageFilter(readFilterParams(url.searchParams));
  // An exact instant range (a ledger line's requests) may be given as ISO times.
  const fromTs = url.searchParams.get("from_ts");
  const toTs = url.searchParams.get("to_ts");
  if (fromTs && !Number.isNaN(Date.parse(fromTs))) filter.from = new Date(fromTs);
  if (toTs && !Number.isNaN(Date.parse(toTs))) filter.to = new Date(toTs);
  const limit = Math.min(200, Math.max(1, Number(url.searchParams.get("limit")) || 50));
  const cursor = url.searchParams.get("cursor") ?? undefined;
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
