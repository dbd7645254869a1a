// GET /api/usage/export — the signed-in user's request log as CSV, filtered like the log page, streamed
import { once } from "node:events";
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { getSessionUser } from "@/lib/auth/session";
import { openAIErrorBody } from "@/lib/errors";
import { formatUsd } from "@/lib/money";
import { exportUsage } from "@/lib/usage/export-usage";
import { filterError, parseFilterParams, toUsageFilter } from "@/lib/usage/filter-params";

export const dynamic = "force-dynamic";

const COLUMNS = [
  "created_at", "request_id", "key_name", "key_prefix", "model", "endpoint", "status", "input_tokens", "output_tokens",
  "cached_tokens", "units", "cost_usd", "cost_micros", "latency_ms", "ttft_ms", "stream", "provider", "upstream_model",
  "input_per_mtok_micros", "output_per_mtok_micros", "unit_price_micros", "note", "id",
  "paid_by", "covered_micros", "charged_micros",
];

export async function GET(request: Request) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { message: "Sign in to export your usage.", code: "unauthorized" } }, { status: 401 });
  // The log's filters, parsed as strictly as GET /api/usage/requests: a malformed one is a 400, never a CSV of other rows.
  const parsed = parseFilterParams(new URL(request.url).searchParams);
  if (!parsed.ok) {
    const error = filterError(parsed.problems);
    return Response.json(openAIErrorBody(error), { status: error.status });
  }
  const filter = toUsageFilter(parsed.params);
  const csv = stringify({ header: true, columns: COLUMNS });

  // Written with backpressure: the next batch is read only when the client has taken the last one.
  void (async () => {
    try {
      for await (const batch of exportUsage({ ctx: { userId: user.userId }, input: filter })) {
        for (const r of batch) {
          if (csv.destroyed) return;
          const ok = csv.write([
            r.createdAt.toISOString(), r.requestId, r.key?.name ?? "", r.key?.prefix ?? "", r.modelId, r.endpoint, r.status,
            r.inputTokens, r.outputTokens, r.cachedTokens, r.units, formatUsd(r.costMicros), r.costMicros.toString(), r.latencyMs,
            r.ttftMs ?? "", r.stream ? "true" : "false", r.providerId ?? "", r.upstreamModel ?? "",
            r.inputPerMtokMicros?.toString() ?? "", r.outputPerMtokMicros?.toString() ?? "", r.unitPriceMicros?.toString() ?? "", r.note ?? "", r.id,
            r.paidBy.toLowerCase(), r.coveredMicros.toString(), (r.costMicros - r.coveredMicros).toString(),
          ]);
          if (!ok) await once(csv, "drain");
        }
      }
      csv.end();
    } catch (error) {
      console.error("[usage] CSV export failed", error);
      csv.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();

  const day = new Date().toISOString().slice(0, 10);
  return new Response(Readable.toWeb(csv) as ReadableStream<Uint8Array>, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="meterway-usage-${day}.csv"`,
      "cache-control": "no-store",
    },
  });
}
