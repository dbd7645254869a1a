// GET /api/health — 200 when this instance can reach its database, 503 otherwise
import { health } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const result = await health();
  return Response.json(result, { status: result.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
